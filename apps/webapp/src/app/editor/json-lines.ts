/**
 * Maps JSON paths (`steps[1].params.width`) to the 1-based line where that value starts in the text,
 * so that a validation problem can be shown at its place. A small scanner, tolerant of nothing: it is
 * only called on text that JSON.parse accepted.
 */
export function jsonPathLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) {
      if (text[i] === '\n') line++;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    skip();
    lines.set(path, line);
    if (text[i] === '{') {
      i++;
      skip();
      while (text[i] !== '}') {
        const key = readString();
        skip();
        i++; // colon
        value(path ? `${path}.${key}` : key);
        skip();
        if (text[i] === ',') i++;
        skip();
      }
      i++;
    } else if (text[i] === '[') {
      i++;
      skip();
      let index = 0;
      while (text[i] !== ']') {
        value(`${path}[${index++}]`);
        skip();
        if (text[i] === ',') i++;
        skip();
      }
      i++;
    } else if (text[i] === '"') {
      readString();
    } else {
      while (i < text.length && !/[,\]}\s]/.test(text[i])) i++;
    }
  };
  value('');
  return lines;
}

/** The line of a problem's path, or of its nearest parent that exists in the text. */
export function lineOf(lines: Map<string, number>, path: string): number | undefined {
  for (let current = path; current; current = current.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    if (lines.has(current)) return lines.get(current);
    if (!/(\.[^.[\]]+|\[\d+\])$/.test(current)) break;
  }
  return lines.get(path.split(/[.[]/)[0]) ?? lines.get('');
}
