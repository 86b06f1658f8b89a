// The TypeScript SDK example: through the typed client that
// graphql-codegen's client preset generates from the contract (src/gql/,
// npm run codegen), it creates a company and a contact, associates them,
// and reads the contact back with its companies, checking every value it
// wrote. It exits non-zero on any error or mismatch.
//
// CRM_ENDPOINT is the GraphQL endpoint (http://localhost:8080/graphql,
// where make run listens, by default); CRM_API_KEY, when set, is sent as
// Authorization: Bearer. Run it with: npm run build && npm start
import { isDeepStrictEqual } from "node:util";

import { client, type Client } from "./client.js";
import { graphql } from "./gql/index.js";

const CreateRecord = graphql(`
  mutation CreateRecord($objectType: String!, $properties: JSON!) {
    createRecord(input: { objectType: $objectType, properties: $properties }) {
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

const ContactWithCompanies = graphql(`
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
`);

// run is the scenario: the same as examples/go's.
async function run(execute: Client): Promise<void> {
  // Unique values, so that the example runs again on the same database.
  const suffix = `${Date.now()}-${process.pid}`;
  const company = { name: `Analytical Engines ${suffix}`, domain: `engines-${suffix}.example` };
  const contact = { email: `ada+${suffix}@example.com`, firstname: "Ada", lastname: "Lovelace" };

  const createdCompany = await execute(CreateRecord, { objectType: "companies", properties: company });
  const createdContact = await execute(CreateRecord, { objectType: "contacts", properties: contact });
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
  if (!isDeepStrictEqual(record.properties, contact)) {
    mismatches.push(`the contact's properties are ${JSON.stringify(record.properties)}, want ${JSON.stringify(contact)}`);
  }
  if (record.displayName !== "Ada Lovelace") {
    mismatches.push(`the contact's displayName is ${JSON.stringify(record.displayName)}, want "Ada Lovelace"`);
  }
  if (Date.parse(record.createdAt) !== Date.parse(contactRecord.createdAt)) {
    mismatches.push(`the contact's createdAt is ${record.createdAt}, createRecord said ${contactRecord.createdAt}`);
  }
  const { totalCount, edges } = record.associations;
  const edge = edges[0];
  if (totalCount !== 1 || edges.length !== 1 || !edge) {
    mismatches.push(`the contact has ${totalCount} companies (${edges.length} edges), want 1`);
  } else {
    if (edge.node.id !== companyRecord.id || !isDeepStrictEqual(edge.node.properties, company)) {
      mismatches.push(
        `the contact's company is ${edge.node.id} ${JSON.stringify(edge.node.properties)}, want ${companyRecord.id} ${JSON.stringify(company)}`,
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
    `contact ${record.id} (${record.displayName}, record ${contactRecord.recordId}) is the Primary contact of company ${companyRecord.id} (${edge?.node.displayName})`,
  );
}

const endpoint = process.env.CRM_ENDPOINT || "http://localhost:8080/graphql";
try {
  await run(client(endpoint, process.env.CRM_API_KEY || undefined));
} catch (e) {
  console.error("typescript example:", e instanceof Error ? e.message : e);
  process.exitCode = 1;
}
