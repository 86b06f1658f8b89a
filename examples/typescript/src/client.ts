// A typed GraphQL client in a few lines: fetch sends the client preset's
// typed document strings (documentMode: "string"), and the answer's data
// has the type of the operation.

// A typed document string of either generated client (src/gql/ for
// /graphql, src/typed/gql/ for /graphql/typed: each its own
// TypedDocumentString class): its text, and in __apiType, which only tsc
// sees, the types of its variables and result.
export type Document<Result, Variables> = {
  toString(): string;
  __apiType?: (variables: Variables) => Result;
};

export type Client = <Result, Variables>(
  document: Document<Result, Variables>,
  variables: Variables,
) => Promise<Result>;

// GraphQL errors of an answer: message, path and extensions.code.
export class GraphQLError extends Error {
  constructor(
    readonly errors: readonly { message: string; path?: readonly (string | number)[]; extensions?: { code?: string } }[],
  ) {
    super(errors.map((e) => `${e.message} (${e.extensions?.code ?? "no code"} at ${e.path?.join(".") ?? "the request"})`).join("; "));
  }
}

// client posts to endpoint; apiKey, when given, goes as Authorization: Bearer.
export function client(endpoint: string, apiKey?: string): Client {
  return async function execute<Result, Variables>(document: Document<Result, Variables>, variables: Variables) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json",
        ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const text = await response.text();
    let body: { data?: unknown; errors?: GraphQLError["errors"] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${response.status}: ${text}`);
    }
    if (body.errors?.length) {
      throw new GraphQLError(body.errors);
    }
    if (!response.ok || body.data == null) {
      throw new Error(`HTTP ${response.status}: ${text}`);
    }
    // The server answers the document's selection: its type is Result.
    return body.data as Result;
  };
}

// main runs an example's scenario with a client of CRM_ENDPOINT (the
// endpoint it names by default) and CRM_API_KEY; on an error it says so,
// named, and the process exits non-zero.
export async function main(name: string, endpoint: string, run: (execute: Client) => Promise<void>): Promise<void> {
  try {
    await run(client(process.env.CRM_ENDPOINT || endpoint, process.env.CRM_API_KEY || undefined));
  } catch (e) {
    console.error(`${name}:`, e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
