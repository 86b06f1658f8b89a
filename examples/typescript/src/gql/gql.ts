/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateRecord($objectType: String!, $values: [PropertyInput!]!) {\n    createRecord(input: { objectType: $objectType, values: $values }) {\n      record {\n        id\n        recordId\n        displayName\n        createdAt\n      }\n    }\n  }\n": typeof types.CreateRecordDocument,
    "\n  mutation Associate($from: ID!, $to: ID!, $labels: [String!]) {\n    associate(input: { from: $from, to: $to, labels: $labels }) {\n      labels {\n        label\n      }\n    }\n  }\n": typeof types.AssociateDocument,
    "\n  fragment Value on PropertyValue {\n    name\n    type\n    string\n    number\n    bool\n    date\n    dateTime\n    options\n    ownerId\n  }\n": typeof types.ValueFragmentDoc,
    "\n  query ContactWithCompanies($id: ID!) {\n    record(id: $id) {\n      id\n      displayName\n      values(names: [\"email\", \"firstname\", \"lastname\", \"lifecyclestage\", \"createdate\"]) {\n        ...Value\n      }\n      createdAt\n      associations(toObjectType: \"companies\", first: 10) {\n        totalCount\n        edges {\n          labels {\n            label\n          }\n          node {\n            id\n            displayName\n            values(names: [\"name\", \"domain\", \"numberofemployees\", \"annualrevenue\"]) {\n              ...Value\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ContactWithCompaniesDocument,
};
const documents: Documents = {
    "\n  mutation CreateRecord($objectType: String!, $values: [PropertyInput!]!) {\n    createRecord(input: { objectType: $objectType, values: $values }) {\n      record {\n        id\n        recordId\n        displayName\n        createdAt\n      }\n    }\n  }\n": types.CreateRecordDocument,
    "\n  mutation Associate($from: ID!, $to: ID!, $labels: [String!]) {\n    associate(input: { from: $from, to: $to, labels: $labels }) {\n      labels {\n        label\n      }\n    }\n  }\n": types.AssociateDocument,
    "\n  fragment Value on PropertyValue {\n    name\n    type\n    string\n    number\n    bool\n    date\n    dateTime\n    options\n    ownerId\n  }\n": types.ValueFragmentDoc,
    "\n  query ContactWithCompanies($id: ID!) {\n    record(id: $id) {\n      id\n      displayName\n      values(names: [\"email\", \"firstname\", \"lastname\", \"lifecyclestage\", \"createdate\"]) {\n        ...Value\n      }\n      createdAt\n      associations(toObjectType: \"companies\", first: 10) {\n        totalCount\n        edges {\n          labels {\n            label\n          }\n          node {\n            id\n            displayName\n            values(names: [\"name\", \"domain\", \"numberofemployees\", \"annualrevenue\"]) {\n              ...Value\n            }\n          }\n        }\n      }\n    }\n  }\n": types.ContactWithCompaniesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRecord($objectType: String!, $values: [PropertyInput!]!) {\n    createRecord(input: { objectType: $objectType, values: $values }) {\n      record {\n        id\n        recordId\n        displayName\n        createdAt\n      }\n    }\n  }\n"): typeof import('./graphql.js').CreateRecordDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Associate($from: ID!, $to: ID!, $labels: [String!]) {\n    associate(input: { from: $from, to: $to, labels: $labels }) {\n      labels {\n        label\n      }\n    }\n  }\n"): typeof import('./graphql.js').AssociateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Value on PropertyValue {\n    name\n    type\n    string\n    number\n    bool\n    date\n    dateTime\n    options\n    ownerId\n  }\n"): typeof import('./graphql.js').ValueFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContactWithCompanies($id: ID!) {\n    record(id: $id) {\n      id\n      displayName\n      values(names: [\"email\", \"firstname\", \"lastname\", \"lifecyclestage\", \"createdate\"]) {\n        ...Value\n      }\n      createdAt\n      associations(toObjectType: \"companies\", first: 10) {\n        totalCount\n        edges {\n          labels {\n            label\n          }\n          node {\n            id\n            displayName\n            values(names: [\"name\", \"domain\", \"numberofemployees\", \"annualrevenue\"]) {\n              ...Value\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ContactWithCompaniesDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
