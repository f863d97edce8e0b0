/**
 * The source text of a number in a JSON document, found by key path. JSON.parse reads `5`, `5.0` and `5e0` as
 * the same number; Go's encoding/json (and so notation) refuses the last two for an integer field such as a
 * descriptor's `size`, so a verifier that accepts them accepts an encoding notation rejects.
 * `json` must already have parsed; only objects on the path are descended (recursion depth = path length).
 */
export function numberLiteralAt(json: string, path: string[]): string | undefined {
  let at = 0;
  const ws = () => {
    while (at < json.length && ' \t\n\r'.includes(json[at]!)) at++;
  };
  const string = (): string => {
    const start = at++;
    while (json[at] !== '"') at += json[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(json.slice(start, at)) as string;
  };
  // Skip one value without recursion: strings whole, brackets counted.
  const skip = () => {
    ws();
    let depth = 0;
    do {
      const c = json[at];
      if (c === '"') {
        string();
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      else if (depth === 0 && (c === ',' || c === undefined)) break;
      at++;
    } while (depth > 0 || (at < json.length && !',}]'.includes(json[at]!)));
  };
  const value = (want: string[]): string | undefined => {
    ws();
    if (want.length === 0) {
      const start = at;
      skip();
      return json.slice(start, at).trim();
    }
    if (json[at] !== '{') return void skip();
    at++;
    let found: string | undefined;
    for (ws(); json[at] !== '}'; ws()) {
      if (json[at] === ',') at++;
      ws();
      const key = string();
      ws();
      at++; // ':'
      // The last occurrence of a key wins, as in JSON.parse and Go.
      if (key === want[0]) found = value(want.slice(1));
      else skip();
    }
    at++;
    return found;
  };
  return value(path);
}
