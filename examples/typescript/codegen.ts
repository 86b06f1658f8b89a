// graphql-codegen's configuration: the client preset writes src/gql/ (a
// typed graphql() function and the types of the operations in src/) from
// the contract's golden schema, graph/testdata/schema.graphql (what the
// server runs), and src/typed/gql/ (the same for the operations in
// src/typed/, the example of the typed endpoint) from the standard
// catalog's typed SDL, internal/typed/testdata/catalog.graphqls (what crm
// schema print writes for a new workspace), so generating needs no
// server: npm run codegen.
import type { CodegenConfig } from "@graphql-codegen/cli";

// Every custom scalar of the schema, as TypeScript sees it on the wire.
// strictScalars makes codegen refuse a scalar missing here.
export const scalars = {
  // RFC 3339 in UTC, "2024-05-01T09:30:00Z".
  DateTime: "string",
  // A calendar day, "2024-05-01".
  Date: "string",
  // Values keyed by property name (Record.properties and the write inputs).
  JSON: "{ [property: string]: unknown }",
  // Any one JSON value (filter values).
  JSONValue: "string | number | boolean | null | unknown[] | { [key: string]: unknown }",
  // A file of a multipart request (imports); never in an answer.
  Upload: { input: "Blob", output: "never" },
};

// The client preset's options, the same for both clients.
const client = {
  preset: "client",
  presetConfig: { fragmentMasking: false },
  config: {
    // Documents are typed strings sent as they are with fetch: no
    // GraphQL client library and no graphql-js at run time.
    documentMode: "string",
    strictScalars: true,
    scalars,
    // The options of an enumeration are a union of their values' strings.
    enumsAsTypes: true,
    useTypeImports: true,
  },
} as const;

const config: CodegenConfig = {
  // Imports with .js, as Node's ES modules need them.
  importExtension: ".js",
  generates: {
    "./src/gql/": {
      ...client,
      schema: "../../graph/testdata/schema.graphql",
      documents: ["src/**/*.ts", "!src/gql/**/*", "!src/typed/**/*"],
    },
    "./src/typed/gql/": {
      ...client,
      schema: "../../internal/typed/testdata/catalog.graphqls",
      documents: ["src/typed/**/*.ts", "!src/typed/gql/**/*"],
    },
  },
};

export default config;
