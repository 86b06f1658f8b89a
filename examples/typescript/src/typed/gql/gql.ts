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
    "\n  mutation CreateCompany($input: CompanyInput!) {\n    createCompany(input: $input) {\n      record {\n        id\n      }\n    }\n  }\n": typeof types.CreateCompanyDocument,
    "\n  mutation CreateContact($input: ContactInput!, $associations: [NewAssociationInput!]) {\n    createContact(input: $input, associations: $associations) {\n      record {\n        id\n        recordId\n        createdAt\n      }\n    }\n  }\n": typeof types.CreateContactDocument,
    "\n  query ContactsByEmail($email: String!) {\n    contacts(filter: { email: { eq: $email } }, first: 10) {\n      totalCount\n      edges {\n        node {\n          id\n          displayName\n          email\n          firstname\n          lastname\n          lifecyclestage\n          createdate\n          createdAt\n          companies(first: 10) {\n            totalCount\n            edges {\n              labels {\n                label\n              }\n              node {\n                id\n                displayName\n                name\n                domain\n                industry\n                numberofemployees\n                annualrevenue\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ContactsByEmailDocument,
};
const documents: Documents = {
    "\n  mutation CreateCompany($input: CompanyInput!) {\n    createCompany(input: $input) {\n      record {\n        id\n      }\n    }\n  }\n": types.CreateCompanyDocument,
    "\n  mutation CreateContact($input: ContactInput!, $associations: [NewAssociationInput!]) {\n    createContact(input: $input, associations: $associations) {\n      record {\n        id\n        recordId\n        createdAt\n      }\n    }\n  }\n": types.CreateContactDocument,
    "\n  query ContactsByEmail($email: String!) {\n    contacts(filter: { email: { eq: $email } }, first: 10) {\n      totalCount\n      edges {\n        node {\n          id\n          displayName\n          email\n          firstname\n          lastname\n          lifecyclestage\n          createdate\n          createdAt\n          companies(first: 10) {\n            totalCount\n            edges {\n              labels {\n                label\n              }\n              node {\n                id\n                displayName\n                name\n                domain\n                industry\n                numberofemployees\n                annualrevenue\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.ContactsByEmailDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCompany($input: CompanyInput!) {\n    createCompany(input: $input) {\n      record {\n        id\n      }\n    }\n  }\n"): typeof import('./graphql.js').CreateCompanyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateContact($input: ContactInput!, $associations: [NewAssociationInput!]) {\n    createContact(input: $input, associations: $associations) {\n      record {\n        id\n        recordId\n        createdAt\n      }\n    }\n  }\n"): typeof import('./graphql.js').CreateContactDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContactsByEmail($email: String!) {\n    contacts(filter: { email: { eq: $email } }, first: 10) {\n      totalCount\n      edges {\n        node {\n          id\n          displayName\n          email\n          firstname\n          lastname\n          lifecyclestage\n          createdate\n          createdAt\n          companies(first: 10) {\n            totalCount\n            edges {\n              labels {\n                label\n              }\n              node {\n                id\n                displayName\n                name\n                domain\n                industry\n                numberofemployees\n                annualrevenue\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ContactsByEmailDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
