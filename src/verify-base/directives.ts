/**
 * The build frontend: the image BuildKit pulls and runs to interpret the Dockerfile, named by the
 * `BUILDKIT_SYNTAX` build argument or else the `syntax` parser directive (moby/buildkit
 * frontend/dockerfile/builder/build.go, then frontend/dockerfile/parser/directives.go `DetectSyntax`).
 * It runs with the build's privileges, so it is an image to verify like any FROM.
 */
export interface FrontendImage {
  /** The first word of the value: the image reference. */
  image: string;
  /** 1-based line of the directive; 0 for the build argument. */
  line: number;
  /** Where the image is written in the Dockerfile (absent for the build argument). */
  span?: { start: number; end: number };
  source: 'directive' | 'BUILDKIT_SYNTAX';
}

// directives.go: `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, with RE2's \s = [\t\n\f\r ].
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/d;
const KNOWN = new Set(['syntax', 'escape', 'check']);

export function frontendImage(content: string, buildArgs: Record<string, string>): FrontendImage | undefined {
  const arg = buildArgs.BUILDKIT_SYNTAX;
  if (arg !== undefined) return { image: arg.trim().split(' ')[0]!, line: 0, source: 'BUILDKIT_SYNTAX' };
  // DetectSyntax: drop a UTF-8 BOM and a `#!` first line, then `#` directives, then `//` ones, then a JSON object.
  let offset = content.startsWith('\uFEFF') ? 1 : 0;
  let line = 0;
  if (content.startsWith('#!', offset)) {
    const newline = content.indexOf('\n', offset);
    offset = newline < 0 ? content.length : newline + 1;
    line = 1;
  }
  return (
    directive(content, { offset, line, comment: '#' }) ?? directive(content, { offset, line, comment: '//' }) ?? jsonSyntax(content, offset)
  );
}

/** `DirectiveParser.ParseAll` with one comment prefix: directives run until the first line that is not one. */
function directive(content: string, at: { offset: number; line: number; comment: string }): FrontendImage | undefined {
  const seen = new Set<string>();
  let { offset, line } = at;
  while (offset < content.length) {
    const newline = content.indexOf('\n', offset);
    const end = newline < 0 ? content.length : newline;
    const text = content.slice(offset, end).replace(/\r$/, ''); // bufio.ScanLines drops a trailing \r
    line++;
    if (!text.startsWith(at.comment)) return undefined;
    const rest = text.slice(at.comment.length);
    const body = rest.trimStart();
    const m = DIRECTIVE.exec(body);
    const key = m?.[1]!.toLowerCase();
    if (!m || !key || !KNOWN.has(key)) return undefined;
    if (seen.has(key)) return undefined; // "only one syntax parser directive can be used": parsing stops there
    seen.add(key);
    if (key === 'syntax') {
      const image = m[2]!.split(' ')[0]!;
      const start = offset + at.comment.length + (rest.length - body.length) + m.indices![2]![0];
      return { image, line, span: { start, end: start + image.length }, source: 'directive' };
    }
    offset = end + 1;
  }
  return undefined;
}

/** A Dockerfile that is a JSON object with a string `syntax` member. */
function jsonSyntax(content: string, offset: number): FrontendImage | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(content.slice(offset));
  } catch {
    return undefined;
  }
  const value = (doc as { syntax?: unknown } | null)?.syntax;
  if (typeof value !== 'string') return undefined;
  const image = value;
  const written = content.indexOf(JSON.stringify(value), offset);
  const span = written < 0 ? undefined : { start: written + 1, end: written + 1 + image.length };
  return {
    image,
    line: (content.slice(0, Math.max(written, 0)).match(/\n/g)?.length ?? 0) + 1,
    ...(span ? { span } : {}),
    source: 'directive',
  };
}
