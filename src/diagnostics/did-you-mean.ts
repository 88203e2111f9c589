// "Did you mean …?" — the TypeScript compiler's heuristic (getSpellingSuggestion): a candidate
// qualifies when its length is within max(2, 0.34·len) of the name's and its edit distance is
// under 0.4·len + 1; the closest wins. `_`, `-` and camelCase humps are treated alike, so
// `getStockQuote` finds `get_stock_quote`. Suggesting nothing beats suggesting nonsense.

/** Lower-case, with `_`, `-`, `.` and camelCase boundaries all turned into `_`. */
function fold(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-.\s]+/g, '_')
    .toLowerCase();
}

/** Levenshtein distance, giving up (returning Infinity) once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return Infinity;
    previous = current;
  }
  return previous[b.length]!;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const folded = fold(name);
  const maxLengthDiff = Math.max(2, Math.floor(folded.length * 0.34));
  let bestDistance = Math.floor(folded.length * 0.4) + 1;
  let best: string | undefined;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const other = fold(candidate);
    if (Math.abs(other.length - folded.length) > maxLengthDiff) continue;
    if (other === folded) return candidate;
    const distance = editDistance(folded, other, bestDistance - 1);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}
