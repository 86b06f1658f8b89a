/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** One property's value in the typed shape. */
export type PropertyInput = {
  /** The property's name. */
  name: string;
  /** The value; null or left out clears it. */
  value?: PropertyValueInput | null | undefined;
};

/**
 * The type of a property's value, and how it is written in Record.properties:
 * STRING a string; NUMBER a JSON number; BOOL true/false; DATE "YYYY-MM-DD";
 * DATETIME RFC 3339 UTC; ENUMERATION an option value (a multi-select CHECKBOX
 * holds a list of them). Strings that parse exactly are accepted for numbers,
 * bools, dates and datetimes (and epoch milliseconds for datetimes).
 */
export type PropertyType =
  /** true or false. */
  | 'BOOL'
  /** A calendar day, "YYYY-MM-DD". */
  | 'DATE'
  /** A moment, RFC 3339 in UTC. */
  | 'DATETIME'
  /** One option's value, or a list of them for a CHECKBOX field. */
  | 'ENUMERATION'
  /** A number. */
  | 'NUMBER'
  /**
   * An owner of the workspace (hubspot_owner_id), stored as the owner's id, a
   * number. Written as that id (a number or its digits) or the owner's
   * email; an unknown owner or an archived one is refused. The property's
   * options are the owners (value: the id, label: the name, description: the
   * email, hidden: archived). Field type SELECT. Filters take EQ, NEQ, IN,
   * NOT_IN, HAS_PROPERTY and NOT_HAS_PROPERTY, with an archived owner too, and
   * me: true for the requesting owner; sorts order by id.
   */
  | 'OWNER'
  /** Text. */
  | 'STRING';

/**
 * One value of a write in the typed shape: set exactly one field, the one of
 * the property's type (PropertyValue's fields). A field of another type than
 * the property's is refused (BAD_USER_INPUT naming the property), even where
 * the JSON map would convert the value. The value is then validated as the
 * JSON map's: "" and [] clear it, as null does. An input with no field or
 * more than one set fails the whole write (BAD_USER_INPUT): nothing is
 * written.
 */
export type PropertyValueInput =
  {   /** A BOOL property's value. */
  bool: boolean; date?: never; dateTime?: never; number?: never; options?: never; ownerId?: never; string?: never; }
  |  { bool?: never;   /** A DATE property's date. */
  date: string; dateTime?: never; number?: never; options?: never; ownerId?: never; string?: never; }
  |  { bool?: never; date?: never;   /** A DATETIME property's moment, RFC 3339; stored in UTC to the millisecond. */
  dateTime: string; number?: never; options?: never; ownerId?: never; string?: never; }
  |  { bool?: never; date?: never; dateTime?: never;   /** A NUMBER property's number. */
  number: number; options?: never; ownerId?: never; string?: never; }
  |  { bool?: never; date?: never; dateTime?: never; number?: never;   /** An ENUMERATION property's option values: one for a single-select property, any number for a multi-select checkbox. */
  options: Array<string>; ownerId?: never; string?: never; }
  |  { bool?: never; date?: never; dateTime?: never; number?: never; options?: never;   /** An OWNER property's owner, by its id (Owner.ownerId). */
  ownerId: number; string?: never; }
  |  { bool?: never; date?: never; dateTime?: never; number?: never; options?: never; ownerId?: never;   /** A STRING property's text. */
  string: string; };

export type CreateRecordMutationVariables = Exact<{
  objectType: string;
  values: Array<PropertyInput> | PropertyInput;
}>;


export type CreateRecordMutation = { createRecord: { record: { id: string, recordId: string, displayName: string, createdAt: string } } | null };

export type AssociateMutationVariables = Exact<{
  from: string | number;
  to: string | number;
  labels?: Array<string> | string | null | undefined;
}>;


export type AssociateMutation = { associate: { labels: Array<{ label: string | null }> } | null };

export type ValueFragment = { name: string, type: PropertyType, string: string | null, number: number | null, bool: boolean | null, date: string | null, dateTime: string | null, options: Array<string> | null, ownerId: number | null };

export type ContactWithCompaniesQueryVariables = Exact<{
  id: string | number;
}>;


export type ContactWithCompaniesQuery = { record: { id: string, displayName: string, createdAt: string, values: Array<{ name: string, type: PropertyType, string: string | null, number: number | null, bool: boolean | null, date: string | null, dateTime: string | null, options: Array<string> | null, ownerId: number | null }>, associations: { totalCount: number, edges: Array<{ labels: Array<{ label: string | null }>, node: { id: string, displayName: string, values: Array<{ name: string, type: PropertyType, string: string | null, number: number | null, bool: boolean | null, date: string | null, dateTime: string | null, options: Array<string> | null, ownerId: number | null }> } }> } } | null };

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
export const ValueFragmentDoc = new TypedDocumentString(`
    fragment Value on PropertyValue {
  name
  type
  string
  number
  bool
  date
  dateTime
  options
  ownerId
}
    `, {"fragmentName":"Value"}) as unknown as TypedDocumentString<ValueFragment, unknown>;
export const CreateRecordDocument = new TypedDocumentString(`
    mutation CreateRecord($objectType: String!, $values: [PropertyInput!]!) {
  createRecord(input: {objectType: $objectType, values: $values}) {
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
    values(
      names: ["email", "firstname", "lastname", "lifecyclestage", "createdate"]
    ) {
      ...Value
    }
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
          values(names: ["name", "domain", "numberofemployees", "annualrevenue"]) {
            ...Value
          }
        }
      }
    }
  }
}
    fragment Value on PropertyValue {
  name
  type
  string
  number
  bool
  date
  dateTime
  options
  ownerId
}`) as unknown as TypedDocumentString<ContactWithCompaniesQuery, ContactWithCompaniesQueryVariables>;