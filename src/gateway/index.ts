// The MCP gateway (`policyc serve`), its audit log and its tokens. Every import of the MCP SDK
// stays inside this folder, so a move to another SDK version happens in one place.

export { serve, PolicyStartError, type RunningGateway, type ServeOptions, type UpstreamSpec, type HttpListenSpec } from './serve.js';
export { openAuditLog, AuditLogError, canonicalJson, recordHash, GENESIS_HASH, type AuditRecord, type AuditEntry, type AuditLog } from './audit.js';
export { verifyAuditFiles, readLines, parseRecord, matches, formatRecord, type RecordFilter, type VerifyResult } from './audit-read.js';
export { loadTokens, addToken, hashToken, identify, type TokenTable } from './http/tokens.js';
export { DEFAULT_MAX_BODY_BYTES } from './http/listener.js';
export { isLoopback } from './http/address.js';
export { stderrLogger, type Logger } from './log.js';
export { LimitStoreOpenError, type StateSpec } from './state/index.js';
