// The MCP-Protocol-Version values a Streamable HTTP client may send after initialize: the MCP
// TypeScript SDK's own list, which the clients the gateway serves were written against. Copied
// rather than imported: importing it loads the SDK's whole schema module (zod and every MCP type,
// about 17 MiB of memory and a start-up cost) for five strings. A test holds the copy equal to
// the installed SDK's list, so an SDK upgrade that adds a version fails CI until it is added here.

export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];
