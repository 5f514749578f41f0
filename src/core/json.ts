/**
 * JSON.parse keeps the last of duplicate keys silently; files users write (targets, tables) must not have any.
 * `findDuplicateKey` scans already-valid JSON text and names the first duplicate with its JSON path and offset.
 */
export interface DuplicateKey {
  readonly key: string;
  /** JSON path of the object holding the duplicate, e.g. `runtime` or `entries[3]` */
  readonly path: string;
  readonly offset: number;
}

interface Frame { obj: boolean; keys: Set<string>; expectKey: boolean; label: string; index: number }

function pathOf(stack: readonly Frame[]): string {
  return stack.slice(1).map((f) => f.label).join('').replace(/^\./, '');
}

/** First duplicate object key in `text` (which must already parse as JSON), or undefined. */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  let pendingLabel = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.obj && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { key, path: pathOf(stack), offset: i };
        top.keys.add(key);
        pendingLabel = `.${key}`;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      const top = stack[stack.length - 1];
      const label = top === undefined ? '' : top.obj ? pendingLabel : `[${top.index}]`;
      stack.push({ obj: ch === '{', keys: new Set(), expectKey: ch === '{', label, index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.obj) top.expectKey = true;
      else if (top) top.index++;
    } else if (ch === ':') {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = false;
    }
  }
  return undefined;
}
