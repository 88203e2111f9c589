// Generated inputs for the compiler benchmarks: a synthetic catalogue of N tools and policies of
// N rules over it, shaped like real ones (globs, classes, conditions, limits, identities).

const CLASSES = ['read', 'read', 'read', 'write', 'financial', 'destructive'];
const RISK_OF = { read: 'low', write: 'medium', financial: 'high', destructive: 'critical' };

/** A catalogue of `count` tools named like `svc12_get_item_3`, in groups of 10 per service. */
export function syntheticCatalog(count) {
  const tools = [];
  for (let i = 0; i < count; i++) {
    const cls = CLASSES[i % CLASSES.length];
    const verb = { read: 'get', write: 'set', financial: 'pay', destructive: 'delete' }[cls];
    tools.push({
      name: `svc${Math.floor(i / 10)}_${verb}_item_${i % 10}`,
      description: `Synthetic tool ${i}.`,
      inputSchema: {
        type: 'object',
        properties: {
          env: { type: 'string', enum: ['REAL', 'SIMULATE'] },
          qty: { type: 'number' },
          code: { type: 'string' },
          note: { type: 'string' },
        },
        required: ['qty'],
      },
      class: cls,
      risk: RISK_OF[cls],
      capabilities: [{ name: `item.${verb}` }],
      reviewed: true,
    });
  }
  return { name: 'synthetic', title: `Synthetic catalogue of ${count} tools`, tools };
}

/** A DSL policy of `count` rules over `catalog`, every rule touching different tools. */
export function syntheticPolicy(catalog, count) {
  const lines = ['# generated for benchmarks', 'version 1', 'server "synthetic"', 'default deny', ''];
  const tools = catalog.tools;
  for (let i = 0; i < count; i++) {
    const tool = tools[(i * 7) % tools.length];
    const service = tool.name.split('_')[0];
    switch (i % 5) {
      case 0:
        lines.push(`allow ${tool.name} when qty <= ${(i % 90) + 10} and code in ["A${i}", "B${i}"]`);
        break;
      case 1:
        lines.push(`deny ${tool.name} when env == "REAL" reason "rule ${i}: no real environment"`);
        break;
      case 2:
        lines.push(`approve ${tool.name}`, `  limit ${(i % 20) + 1} per 1m`, `  reason "rule ${i}"`);
        break;
      case 3:
        lines.push(`allow ${service}_get_*`);
        break;
      default:
        lines.push(`deny ${tool.name} when note matches "[a-z]+-${i}" or qty > ${i}`);
    }
  }
  lines.push('', 'limit all 1000 per 1m', '', 'identity "bench-bot" {', `  hide ${tools[0].name}`, `  deny ${tools[1].name}`, '}', '');
  return lines.join('\n');
}
