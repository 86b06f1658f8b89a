/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateRecordMutationVariables = Exact<{
  objectType: string;
  properties: { [property: string]: unknown };
}>;


export type CreateRecordMutation = { createRecord: { record: { id: string, recordId: string, displayName: string, createdAt: string } } | null };

export type AssociateMutationVariables = Exact<{
  from: string | number;
  to: string | number;
  labels?: Array<string> | string | null | undefined;
}>;


export type AssociateMutation = { associate: { labels: Array<{ label: string | null }> } | null };

export type ContactWithCompaniesQueryVariables = Exact<{
  id: string | number;
}>;


export type ContactWithCompaniesQuery = { record: { id: string, displayName: string, properties: { [property: string]: unknown }, createdAt: string, associations: { totalCount: number, edges: Array<{ labels: Array<{ label: string | null }>, node: { id: string, displayName: string, properties: { [property: string]: unknown } } }> } } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const CreateRecordDocument = new TypedDocumentString(`
    mutation CreateRecord($objectType: String!, $properties: JSON!) {
  createRecord(input: {objectType: $objectType, properties: $properties}) {
    record {
      id
      recordId
      displayName
      createdAt
    }
  }
}
    `) as unknown as TypedDocumentString<CreateRecordMutation, CreateRecordMutationVariables>;
export const AssociateDocument = new TypedDocumentString(`
    mutation Associate($from: ID!, $to: ID!, $labels: [String!]) {
  associate(input: {from: $from, to: $to, labels: $labels}) {
    labels {
      label
    }
  }
}
    `) as unknown as TypedDocumentString<AssociateMutation, AssociateMutationVariables>;
export const ContactWithCompaniesDocument = new TypedDocumentString(`
    query ContactWithCompanies($id: ID!) {
  record(id: $id) {
    id
    displayName
    properties(names: ["email", "firstname", "lastname"])
    createdAt
    associations(toObjectType: "companies", first: 10) {
      totalCount
      edges {
        labels {
          label
        }
        node {
          id
          displayName
          properties(names: ["name", "domain"])
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ContactWithCompaniesQuery, ContactWithCompaniesQueryVariables>;