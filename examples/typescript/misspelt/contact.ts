// Does not compile, on purpose: a property the typed schema does not have
// is no field of the generated types, read or written. TestSDKExamples
// type-checks this folder (tsc -p misspelt) and expects tsc to refuse
// each misspelt email below, naming it, and nothing else.
import type { ContactInput, ContactsByEmailQuery } from "../src/typed/gql/graphql.js";

// A contact as src/typed/main.ts reads it back.
type ContactRead = NonNullable<ContactsByEmailQuery["contacts"]["edges"][number]>["node"];

export function emailOf(contact: ContactRead): string | null {
  return contact.emial;
}

export const input: ContactInput = { emial: "ada@example.com" };
