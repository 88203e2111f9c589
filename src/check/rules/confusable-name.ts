import type { Rule } from '../rule.js';

// Look-alikes of ASCII letters from Cyrillic and Greek: the characters a rug-pull or a
// copy-pasted policy uses to make `рlace_order` (Cyrillic р) read as `place_order`. A small
// table in the spirit of Unicode TR39's skeletons, not the whole confusables list.
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  // Cyrillic lower case
  а: 'a', е: 'e', ё: 'ë', һ: 'h', і: 'i', ј: 'j', к: 'k', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', ԁ: 'd',
  ԛ: 'q', ԝ: 'w', ү: 'y', ӏ: 'l',
  // Cyrillic upper case
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', Ѕ: 'S', І: 'I', Ј: 'J',
  Ү: 'Y', Ԛ: 'Q', Ԝ: 'W', Ӏ: 'I',
  // Greek lower case
  α: 'a', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', υ: 'u', χ: 'x', γ: 'y', ϲ: 'c', ϳ: 'j',
  // Greek upper case
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};

/** Characters that change how a name reads without being seen. */
function invisibleKind(codePoint: number): string | undefined {
  if ((codePoint >= 0x200b && codePoint <= 0x200d) || codePoint === 0x2060 || codePoint === 0xfeff || codePoint === 0x180e || codePoint === 0x00ad) {
    return 'an invisible (zero-width) character';
  }
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069) || codePoint === 0x200e || codePoint === 0x200f || codePoint === 0x061c) {
    return 'a bidirectional-text control character';
  }
  if (codePoint >= 0xe0000 && codePoint <= 0xe007f) return 'an invisible Unicode tag character';
  if (codePoint < 0x20 || codePoint === 0x7f || (codePoint >= 0x80 && codePoint < 0xa0)) return 'a control character';
  if (/\p{Default_Ignorable_Code_Point}/u.test(String.fromCodePoint(codePoint))) return 'an invisible character';
  return undefined;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A cheap confusable skeleton: NFKC, look-alikes folded to ASCII, invisible characters dropped. */
export function skeleton(name: string): string {
  // Printable ASCII is its own skeleton (NFKC keeps it, and none of it is invisible or a look-alike).
  if (PRINTABLE_ASCII.test(name)) return name;
  let result = '';
  for (const ch of name.normalize('NFKC')) {
    if (invisibleKind(ch.codePointAt(0) ?? 0) !== undefined) continue;
    result += HOMOGLYPHS[ch] ?? ch;
  }
  return result;
}

function hex(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The name with every non-ASCII or invisible character written as \u{…}, so the message shows it. */
function visible(name: string): string {
  let result = '';
  for (const ch of name) {
    const codePoint = ch.codePointAt(0) ?? 0;
    result += codePoint >= 0x20 && codePoint < 0x7f ? ch : `\\u{${codePoint.toString(16).toUpperCase()}}`;
  }
  return result;
}

/** The first suspicious character of a name, described; undefined for plain printable ASCII. */
function firstSuspicious(name: string): string | undefined {
  for (const ch of name) {
    const codePoint = ch.codePointAt(0) ?? 0;
    const invisible = invisibleKind(codePoint);
    if (invisible) return `${invisible} (${hex(codePoint)})`;
    if (codePoint > 0x7e) {
      const script = /\p{Script=Cyrillic}/u.test(ch) ? 'Cyrillic ' : /\p{Script=Greek}/u.test(ch) ? 'Greek ' : '';
      return `the non-ASCII ${script}character ${ch} (${hex(codePoint)})`;
    }
  }
  return undefined;
}

export const confusableName: Rule = {
  code: 'confusable-name',
  requiresCatalog: false,
  description: 'A tool name with invisible, non-ASCII or look-alike characters.',
  check(context) {
    const bySkeleton = new Map<string, string>();
    for (const tool of context.catalog?.tools ?? []) bySkeleton.set(skeleton(tool.name), tool.name);

    for (const { selector } of context.selectors) {
      const name = selector.kind === 'name' ? selector.name : selector.kind === 'glob' ? selector.pattern : undefined;
      if (name === undefined) continue;
      const suspicious = firstSuspicious(name);
      const lookalike = selector.kind === 'name' ? bySkeleton.get(skeleton(name)) : undefined;
      const confusable = lookalike !== undefined && lookalike !== name;
      if (suspicious === undefined && !confusable) continue;

      const shown = `\`${visible(name)}\``;
      const parts = [suspicious === undefined ? `the tool name ${shown}` : `the tool name ${shown} contains ${suspicious}`];
      if (confusable) parts.push(`it looks like \`${lookalike}\` but is a different name, so a rule on it does not apply to \`${lookalike}\``);
      const fix = confusable ? `write \`${lookalike}\` in plain ASCII` : 'write tool names in plain ASCII';
      context.report('confusable-name', selector.span, `${parts.join('; ')}; ${fix}.`, confusable ? { suggestion: lookalike } : {});
    }
  },
};
