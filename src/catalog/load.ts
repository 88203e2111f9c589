// Reading a catalogue file (`--catalog FILE`, or one written by `policyc catalog import`).
//
// Lint trusts the catalogue to say what each tool is; a typo there (`secret` for `secrets`, a
// tradingEnvironment parameter the tool does not take) would switch a safety check off without a
// word. So the file is strict JSON, checked against grammar/catalog.schema.json with no unknown
// keys, and then against itself: unique tool names, and every parameter it names exists.

import { report } from '../diagnostics/codes.js';
import { compareDiagnostics, hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { jsonValueOf, parseJsonDocument, parseJsonFast, resolvePointer, type JsonNode } from '../json/document.js';
import { schemaValidator, validateDocument } from '../json/schema.js';
import type { Catalog, CatalogTool } from './types.js';

export function loadCatalogFile(source: SourceText): { catalog?: Catalog; diagnostics: Diagnostic[] } {
  // A catalogue that is JSON and valid against the schema is read with JSON.parse (see
  // parseJsonFast), without a node per value: a catalogue of thousands of tools is megabytes.
  // Otherwise, or to place a problem, the strict reader reads it again: the diagnostics are the
  // same as the strict reader's alone.
  let root: JsonNode | undefined;
  let value = parseJsonFast(source.text);
  if (value === undefined || !schemaValidator('urn:policyc:schema:catalog')(value)) {
    const document = parseJsonDocument(source);
    if (!document.root) return { diagnostics: document.diagnostics };
    root = document.root;
    const schemaDiagnostics = validateDocument('urn:policyc:schema:catalog', root, source, 'a catalogue');
    if (schemaDiagnostics.length > 0) return { diagnostics: schemaDiagnostics.sort(compareDiagnostics) };
    value = jsonValueOf(root);
  }

  // The schema has checked the shape; `$schema` is for editors only.
  const { $schema: _editorHint, ...catalog } = value as unknown as Catalog & { $schema?: string };
  const rootNode = () => (root ??= parseJsonDocument(source).root!);
  const diagnostics = selfConsistencyProblems(catalog, rootNode, source).sort(compareDiagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { catalog, diagnostics };
}

/** `root` gives the strict reader's nodes, read only when a problem needs a place. */
function selfConsistencyProblems(catalog: Catalog, root: () => JsonNode, source: SourceText): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const problem = (pointer: string, message: string, related?: { pointer: string; message: string }) => {
    const at = (p: string) => {
      const node = resolvePointer(root(), p)?.node ?? root();
      return source.span(node.start, node.end);
    };
    diagnostics.push(report('schema-error', at(pointer), message, related ? { related: [{ message: related.message, span: at(related.pointer) }] } : {}));
  };

  const firstIndex = new Map<string, number>();
  catalog.tools.forEach((tool, i) => {
    const first = firstIndex.get(tool.name);
    if (first === undefined) firstIndex.set(tool.name, i);
    else problem(`/tools/${i}/name`, `the catalogue lists tool ${tool.name} twice`, { pointer: `/tools/${first}/name`, message: 'first listed here' });
    checkParameters(tool, `/tools/${i}`, problem);
    if (catalog.capabilities) {
      tool.capabilities.forEach((capability, k) => {
        if (!Object.hasOwn(catalog.capabilities!, capability.name)) {
          problem(`/tools/${i}/capabilities/${k}/name`, `capability ${capability.name} of ${tool.name} is not in the catalogue's "capabilities" vocabulary`);
        }
      });
    }
  });
  return diagnostics;
}

/** Parameters named by `secrets`, `tradingEnvironment` and `normalize` must be the tool's own. */
function checkParameters(tool: CatalogTool, pointer: string, problem: (pointer: string, message: string) => void): void {
  const properties = tool.inputSchema.properties;
  // A schema without `properties` says nothing about names; there is nothing to check against.
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return;
  const known = (name: string) => Object.hasOwn(properties, name);
  (tool.secrets ?? []).forEach((name, k) => {
    if (!known(name)) problem(`${pointer}/secrets/${k}`, `${tool.name} has no parameter ${name} (listed as a secret)`);
  });
  if (tool.tradingEnvironment && !known(tool.tradingEnvironment.param)) {
    problem(`${pointer}/tradingEnvironment/param`, `${tool.name} has no parameter ${tool.tradingEnvironment.param} (named as its trading environment)`);
  }
  for (const name of Object.keys(tool.normalize ?? {})) {
    if (!known(name)) problem(`${pointer}/normalize/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, `${tool.name} has no parameter ${name} (listed under normalize)`);
  }
}
