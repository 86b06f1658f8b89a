// The TypeScript SDK example of the typed endpoint (/graphql/typed):
// through the typed client that graphql-codegen's client preset generates
// from the standard catalog's typed SDL (src/typed/gql/, npm run codegen),
// it creates a company and a contact associated with it (Primary) through
// the typed mutations createCompany and createContact, reads the contact
// back by email with its companies through a nested typed query, and
// checks every value it wrote. Every property is a field of its type:
// contact.email is a string | null, lifecyclestage a union of its
// options' values, numberofemployees a number | null; a misspelt property
// does not compile (misspelt/, which TestSDKExamples type-checks). It
// exits non-zero on any error or mismatch.
//
// CRM_ENDPOINT is the typed endpoint (http://localhost:8080/graphql/typed,
// where make run listens, by default); CRM_API_KEY, when set, is sent as
// Authorization: Bearer. Run it with: npm run build && npm run start:typed
import { isDeepStrictEqual } from "node:util";

import { main, type Client } from "../client.js";
import type { CompanyInput, ContactInput, ContactsByEmailQuery } from "./gql/graphql.js";
import { graphql } from "./gql/index.js";

const CreateCompany = graphql(`
  mutation CreateCompany($input: CompanyInput!) {
    createCompany(input: $input) {
      record {
        id
      }
    }
  }
`);

// CreateContact creates a contact associated (with labels) with records
// that exist.
const CreateContact = graphql(`
  mutation CreateContact($input: ContactInput!, $associations: [NewAssociationInput!]) {
    createContact(input: $input, associations: $associations) {
      record {
        id
        recordId
        createdAt
      }
    }
  }
`);

// ContactsByEmail reads contacts back through the typed filter, each with
// its companies: a nested typed query.
const ContactsByEmail = graphql(`
  query ContactsByEmail($email: String!) {
    contacts(filter: { email: { eq: $email } }, first: 10) {
      totalCount
      edges {
        node {
          id
          displayName
          email
          firstname
          lastname
          lifecyclestage
          createdate
          createdAt
          companies(first: 10) {
            totalCount
            edges {
              labels {
                label
              }
              node {
                id
                displayName
                name
                domain
                industry
                numberofemployees
                annualrevenue
              }
            }
          }
        }
      }
    }
  }
`);

// Same<A, B> is true when A and B are the same type, false otherwise.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ContactRead = NonNullable<ContactsByEmailQuery["contacts"]["edges"][number]>["node"];
type Holds<T extends true> = T;
// A contact's email is a string, or null when it has none: tsc fails here
// when the generated type is anything else.
export type EmailIsStringOrNull = Holds<Same<ContactRead["email"], string | null>>;

// run is the scenario: the same as examples/go/typed's.
async function run(execute: Client): Promise<void> {
  // Unique values, so that the example runs again on the same database.
  const suffix = `${Date.now()}-${process.pid}`;
  const company = {
    name: `Analytical Engines ${suffix}`,
    domain: `engines-${suffix}.example`,
    industry: "COMPUTER_SOFTWARE",
    numberofemployees: 12,
    annualrevenue: 1843.25,
  } satisfies CompanyInput;
  const contact = {
    email: `ada+${suffix}@example.com`,
    firstname: "Ada",
    lastname: "Lovelace",
    lifecyclestage: "lead",
  } satisfies ContactInput;

  const createdCompany = await execute(CreateCompany, { input: company });
  const companyRecord = createdCompany.createCompany?.record;
  if (!companyRecord) {
    throw new Error("createCompany answered null");
  }
  const createdContact = await execute(CreateContact, {
    input: contact,
    associations: [{ to: companyRecord.id, labels: ["Primary"] }],
  });
  const contactRecord = createdContact.createContact?.record;
  if (!contactRecord) {
    throw new Error("createContact answered null");
  }

  const { contacts } = await execute(ContactsByEmail, { email: contact.email });
  const node = contacts.edges[0]?.node;
  if (contacts.totalCount !== 1 || contacts.edges.length !== 1 || !node) {
    throw new Error(`contacts(filter: {email: {eq: "${contact.email}"}}) found ${contacts.totalCount} (${contacts.edges.length} edges), want 1`);
  }
  const mismatches: string[] = [];
  const { email, firstname, lastname, lifecyclestage } = node;
  const readContact = { email, firstname, lastname, lifecyclestage };
  if (node.id !== contactRecord.id || !isDeepStrictEqual(readContact, contact)) {
    mismatches.push(`the contact is ${node.id} ${JSON.stringify(readContact)}, want ${contactRecord.id} ${JSON.stringify(contact)}`);
  }
  if (node.displayName !== "Ada Lovelace") {
    mismatches.push(`the contact's displayName is ${JSON.stringify(node.displayName)}, want "Ada Lovelace"`);
  }
  if (Date.parse(node.createdAt) !== Date.parse(contactRecord.createdAt)) {
    mismatches.push(`the contact's createdAt is ${node.createdAt}, createContact said ${contactRecord.createdAt}`);
  }
  // createdate is a DATETIME property: createdAt to the millisecond, as
  // every DATETIME value is stored (and as Date.parse reads createdAt).
  if (node.createdate == null || Date.parse(node.createdate) !== Date.parse(contactRecord.createdAt)) {
    mismatches.push(`the contact's createdate is ${node.createdate}, createContact said ${contactRecord.createdAt}`);
  }
  const { totalCount, edges } = node.companies;
  const edge = edges[0];
  if (totalCount !== 1 || edges.length !== 1 || !edge) {
    mismatches.push(`the contact has ${totalCount} companies (${edges.length} edges), want 1`);
  } else {
    const { name, domain, industry, numberofemployees, annualrevenue } = edge.node;
    const readCompany = { name, domain, industry, numberofemployees, annualrevenue };
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
    `contact ${node.id} (${node.displayName}, record ${contactRecord.recordId}) is the Primary contact of company ${companyRecord.id} (${edge?.node.displayName}, ${edge?.node.industry}, ${edge?.node.numberofemployees} employees)`,
  );
}

await main("typescript typed example", "http://localhost:8080/graphql/typed", run);
