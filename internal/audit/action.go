package audit

import "slices"

// Action is what an audited change did. The schema's AuditAction lists the
// same names.
type Action string

// The audited actions.
const (
	CreateObjectType       Action = "CREATE_OBJECT_TYPE"
	UpdateObjectType       Action = "UPDATE_OBJECT_TYPE"
	ArchiveObjectType      Action = "ARCHIVE_OBJECT_TYPE"
	CreateProperty         Action = "CREATE_PROPERTY"
	UpdateProperty         Action = "UPDATE_PROPERTY"
	ArchiveProperty        Action = "ARCHIVE_PROPERTY"
	RestoreProperty        Action = "RESTORE_PROPERTY"
	DeleteProperty         Action = "DELETE_PROPERTY"
	CreatePropertyGroup    Action = "CREATE_PROPERTY_GROUP"
	UpdatePropertyGroup    Action = "UPDATE_PROPERTY_GROUP"
	DeletePropertyGroup    Action = "DELETE_PROPERTY_GROUP"
	CreatePipeline         Action = "CREATE_PIPELINE"
	UpdatePipeline         Action = "UPDATE_PIPELINE"
	ArchivePipeline        Action = "ARCHIVE_PIPELINE"
	CreatePipelineStage    Action = "CREATE_PIPELINE_STAGE"
	UpdatePipelineStage    Action = "UPDATE_PIPELINE_STAGE"
	ArchivePipelineStage   Action = "ARCHIVE_PIPELINE_STAGE"
	CreateAssociationLabel Action = "CREATE_ASSOCIATION_LABEL"
	RenameAssociationLabel Action = "RENAME_ASSOCIATION_LABEL"
	DeleteAssociationLabel Action = "DELETE_ASSOCIATION_LABEL"
	SetAssociationLimit    Action = "SET_ASSOCIATION_LIMIT"
	SetRecordLayout        Action = "SET_RECORD_LAYOUT"
	UpdateActivitySettings Action = "UPDATE_ACTIVITY_SETTINGS"
	MergeRecords           Action = "MERGE_RECORDS"
	DeleteRecord           Action = "DELETE_RECORD_PERMANENTLY"
	StartImport            Action = "START_IMPORT"
	CancelImport           Action = "CANCEL_IMPORT"
	RevertImport           Action = "REVERT_IMPORT"
	CreateAPIKey           Action = "CREATE_API_KEY"
	RevokeAPIKey           Action = "REVOKE_API_KEY"
	CreateWorkspace        Action = "CREATE_WORKSPACE"
	CreateWebhook          Action = "CREATE_WEBHOOK"
	UpdateWebhook          Action = "UPDATE_WEBHOOK"
	DeleteWebhook          Action = "DELETE_WEBHOOK"
)

// Actions are the audited actions.
var Actions = []Action{
	CreateObjectType, UpdateObjectType, ArchiveObjectType,
	CreateProperty, UpdateProperty, ArchiveProperty, RestoreProperty, DeleteProperty,
	CreatePropertyGroup, UpdatePropertyGroup, DeletePropertyGroup,
	CreatePipeline, UpdatePipeline, ArchivePipeline,
	CreatePipelineStage, UpdatePipelineStage, ArchivePipelineStage,
	CreateAssociationLabel, RenameAssociationLabel, DeleteAssociationLabel, SetAssociationLimit,
	SetRecordLayout, UpdateActivitySettings,
	MergeRecords, DeleteRecord,
	StartImport, CancelImport, RevertImport,
	CreateAPIKey, RevokeAPIKey, CreateWorkspace,
	CreateWebhook, UpdateWebhook, DeleteWebhook,
}

// Valid tells whether a is an audited action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }
