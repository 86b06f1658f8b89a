// The TypeScript SDK example: through the typed client that
// graphql-codegen's client preset generates from the contract (src/gql/,
// npm run codegen), it creates a company and a contact with typed values
// (PropertyInput), associates them, and reads the contact back with its
// companies through Record.values, whose fields have TypeScript types (a
// number of employees is a number, not the unknown of the JSON map),
// checking every value it wrote. It exits non-zero on any error or
// mismatch.
//
// CRM_ENDPOINT is the GraphQL endpoint (http://localhost:8080/graphql,
// where make run listens, by default); CRM_API_KEY, when set, is sent as
// Authorization: Bearer. Run it with: npm run build && npm start
import { isDeepStrictEqual } from "node:util";

import { main, type Client } from "./client.js";
import type { PropertyInput, ValueFragment } from "./gql/graphql.js";
import { graphql } from "./gql/index.js";

const CreateRecord = graphql(`
  mutation CreateRecord($objectType: String!, $values: [PropertyInput!]!) {
    createRecord(input: { objectType: $objectType, values: $values }) {
      record {
        id
        recordId
        displayName
        createdAt
      }
    }
  }
`);

const Associate = graphql(`
  mutation Associate($from: ID!, $to: ID!, $labels: [String!]) {
    associate(input: { from: $from, to: $to, labels: $labels }) {
      labels {
        label
      }
    }
  }
`);

// One typed value: type names the one field that is set. Codegen reads
// the fragment from this call; the query spreads it.
graphql(`
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
`);

const ContactWithCompanies = graphql(`
  query ContactWithCompanies($id: ID!) {
    record(id: $id) {
      id
      displayName
      values(names: ["email", "firstname", "lastname", "lifecyclestage", "createdate"]) {
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
`);

// Read<T> is how the values of T are read back through Record.values: in
// the field of their type (v.number is a number | null, not unknown), null
// in another type's field, undefined when the record has no value.
type Read<T> = { [K in keyof T]: T[K] | null | undefined };

// byName is the values read back, keyed by property name.
function byName(values: readonly ValueFragment[]): Map<string, ValueFragment> {
  return new Map(values.map((v) => [v.name, v]));
}

// run is the scenario: the same as examples/go's.
async function run(execute: Client): Promise<void> {
  // Unique values, so that the example runs again on the same database.
  const suffix = `${Date.now()}-${process.pid}`;
  const company = {
    name: `Analytical Engines ${suffix}`,
    domain: `engines-${suffix}.example`,
    numberofemployees: 12,
    annualrevenue: 1843.25,
  };
  const contact = { email: `ada+${suffix}@example.com`, firstname: "Ada", lastname: "Lovelace", lifecyclestage: ["lead"] };
  // Written in the typed shape: each value in the field of its property's
  // type (PropertyValueInput is @oneOf: tsc refuses a second field).
  const companyValues: PropertyInput[] = [
    { name: "name", value: { string: company.name } },
    { name: "domain", value: { string: company.domain } },
    { name: "numberofemployees", value: { number: company.numberofemployees } },
    { name: "annualrevenue", value: { number: company.annualrevenue } },
  ];
  const contactValues: PropertyInput[] = [
    { name: "email", value: { string: contact.email } },
    { name: "firstname", value: { string: contact.firstname } },
    { name: "lastname", value: { string: contact.lastname } },
    { name: "lifecyclestage", value: { options: contact.lifecyclestage } },
  ];

  const createdCompany = await execute(CreateRecord, { objectType: "companies", values: companyValues });
  const createdContact = await execute(CreateRecord, { objectType: "contacts", values: contactValues });
  const companyRecord = createdCompany.createRecord?.record;
  const contactRecord = createdContact.createRecord?.record;
  if (!companyRecord || !contactRecord) {
    throw new Error("createRecord answered null");
  }

  const associated = await execute(Associate, { from: contactRecord.id, to: companyRecord.id, labels: ["Primary"] });
  const answered = associated.associate?.labels.map((l) => l.label) ?? [];
  if (!answered.includes("Primary")) {
    throw new Error(`associate answered the labels ${JSON.stringify(answered)}, without Primary`);
  }

  const { record } = await execute(ContactWithCompanies, { id: contactRecord.id });
  if (!record) {
    throw new Error(`record(id: ${contactRecord.id}) is null`);
  }
  const mismatches: string[] = [];
  const values = byName(record.values);
  const readContact = {
    email: values.get("email")?.string,
    firstname: values.get("firstname")?.string,
    lastname: values.get("lastname")?.string,
    lifecyclestage: values.get("lifecyclestage")?.options,
  } satisfies Read<typeof contact>;
  if (!isDeepStrictEqual(readContact, contact)) {
    mismatches.push(`the contact's values are ${JSON.stringify(readContact)}, want ${JSON.stringify(contact)}`);
  }
  if (record.displayName !== "Ada Lovelace") {
    mismatches.push(`the contact's displayName is ${JSON.stringify(record.displayName)}, want "Ada Lovelace"`);
  }
  if (Date.parse(record.createdAt) !== Date.parse(contactRecord.createdAt)) {
    mismatches.push(`the contact's createdAt is ${record.createdAt}, createRecord said ${contactRecord.createdAt}`);
  }
  // createdate is a DATETIME value: createdAt to the millisecond, as every
  // DATETIME value is stored (and as Date.parse reads createdAt).
  const createdate = values.get("createdate")?.dateTime;
  if (createdate == null || Date.parse(createdate) !== Date.parse(contactRecord.createdAt)) {
    mismatches.push(`the contact's createdate value is ${createdate}, createRecord said ${contactRecord.createdAt}`);
  }
  const { totalCount, edges } = record.associations;
  const edge = edges[0];
  if (totalCount !== 1 || edges.length !== 1 || !edge) {
    mismatches.push(`the contact has ${totalCount} companies (${edges.length} edges), want 1`);
  } else {
    const values = byName(edge.node.values);
    const readCompany = {
      name: values.get("name")?.string,
      domain: values.get("domain")?.string,
      numberofemployees: values.get("numberofemployees")?.number,
      annualrevenue: values.get("annualrevenue")?.number,
    } satisfies Read<typeof company>;
    if (edge.node.id !== companyRecord.id || !isDeepStrictEqual(readCompany, company)) {
      mismatches.push(
        `the contact's company is ${edge.node.id} ${JSON.stringify(readCompany)}, want ${companyRecord.id} ${JSON.stringify(company)}`,
      );
    }
    const labels = edge.labels.map((l) => l.label);
    if (!labels.includes("Primary")) {
      mismatches.push(`the association's labels are ${JSON.stringify(labels)}, without Primary`);
    }
  }
  if (mismatches.length > 0) {
    throw new Error(mismatches.join("\n"));
  }
  console.log(
    `contact ${record.id} (${record.displayName}, record ${contactRecord.recordId}) is the Primary contact of company ${companyRecord.id} (${edge?.node.displayName}, ${company.numberofemployees} employees)`,
  );
}

await main("typescript example", "http://localhost:8080/graphql", run);
