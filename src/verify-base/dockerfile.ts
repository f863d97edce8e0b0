import type * as DockerfileAst from 'dockerfile-ast';
import type { From, Run, Instruction } from 'dockerfile-ast';
import { NotarySignError } from '../errors.js';
import { parseReference, type Reference } from '../oci/reference.js';
import { frontendImage } from './directives.js';

let ast: typeof DockerfileAst | undefined;

/** dockerfile-ast, loaded on first use (a vendor library): call before parsing. */
export async function loadDockerfileParser(): Promise<void> {
  ast ??= await import('dockerfile-ast');
}

function parser(): typeof DockerfileAst {
  if (!ast) throw new Error('Dockerfile parsing used before loadDockerfileParser()');
  return ast;
}

type Range = NonNullable<ReturnType<From['getImageRange']>>;

/** An external image a Dockerfile builds on or copies from. */
export interface BaseImage {
  /** The reference after ARG substitution. */
  image: string;
  ref: Reference;
  /** 1-based line of the instruction. */
  line: number;
  /** `syntax`: the build frontend BuildKit pulls and runs (directive or BUILDKIT_SYNTAX). */
  kind: 'from' | 'copy-from' | 'run-mount' | 'syntax';
  /** The stage this FROM starts (its `AS` name), if any. */
  stage?: string;
  /** `--platform` after substitution. */
  platform?: string;
  /** Character offsets of the image text in the Dockerfile, for pinning; absent when it is not written there. */
  span?: { start: number; end: number };
}

export interface DockerfileOptions {
  buildArgs?: Record<string, string>;
  /** The target platform, os/arch[/variant]; default the build platform. */
  platform?: string;
  /** The platform the build runs on; default linux and this machine's architecture. */
  buildPlatform?: string;
  /** The file name for messages. */
  source?: string;
}

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
export const runnerPlatform = (): string => `linux/${NODE_ARCH[process.arch] ?? process.arch}`;

/**
 * BuildKit's automatic platform ARGs (dockerfile2llb `defaultArgs`): always defined, from the target and build
 * platforms, in the global scope a FROM line sees.
 */
function platformArgs(prefix: 'TARGET' | 'BUILD', platform: string): [string, string][] {
  const [os = '', arch = '', variant = ''] = platform.split('/');
  return [
    [`${prefix}PLATFORM`, platform],
    [`${prefix}OS`, os],
    [`${prefix}ARCH`, arch],
    [`${prefix}VARIANT`, variant],
  ];
}

/**
 * Every external image a build of this Dockerfile pulls: the build frontend (`# syntax=` or BUILDKIT_SYNTAX),
 * FROM lines (with global ARG defaults, --build-arg overrides and the automatic platform ARGs substituted),
 * COPY --from=<image> and RUN --mount=from=<image>. Stage names, stage indexes and `scratch` are not images.
 */
export function baseImages(content: string, opts: DockerfileOptions = {}): BaseImage[] {
  const buildArgs = opts.buildArgs ?? {};
  const source = opts.source ?? 'Dockerfile';
  unusable(content, source);
  const { DockerfileParser, From, Copy, Run } = parser();
  const dockerfile = DockerfileParser.parse(content);
  const lineStarts = [0];
  for (let i = 0; i < content.length; i++) if (content[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => lineStarts[p.line]! + p.character;
  const at = (ins: Instruction) => `${source}:${ins.getRange().start.line + 1}`;

  // Global scope: the automatic platform ARGs, then ARGs before the first FROM; a --build-arg overrides only a declared ARG.
  const buildPlatform = opts.buildPlatform ?? runnerPlatform();
  const automatic = [...platformArgs('TARGET', opts.platform ?? buildPlatform), ...platformArgs('BUILD', buildPlatform)];
  const scope = new Map<string, string>(automatic.map(([name, value]) => [name, buildArgs[name] ?? value]));
  for (const arg of dockerfile.getInitialARGs()) {
    const prop = arg.getProperty();
    if (!prop) continue;
    const name = prop.getName();
    const value = buildArgs[name] ?? (prop.getValue() !== null ? expand(prop.getUnescapedValue() ?? '', scope, at(arg)) : undefined);
    if (value !== undefined) scope.set(name, value);
    else if (!automatic.some(([auto]) => auto === name)) scope.delete(name);
  }

  const images: BaseImage[] = [];
  const stages: string[] = [];
  const isStage = (name: string) => stages.includes(name.toLowerCase());
  const add = (text: string, where: string, use: Omit<BaseImage, 'image' | 'ref'>) => {
    let ref: Reference;
    try {
      ref = parseReference(text);
    } catch (err) {
      throw new NotarySignError('INPUT', `${where}: ${(err as Error).message}`);
    }
    images.push({ image: text, ref, ...use });
  };

  /** `--from=<x>` (COPY) or `from=<x>` (RUN --mount): an image unless it names a stage or a stage index. */
  const addFrom = (
    ins: Instruction,
    kind: BaseImage['kind'],
    value: { getValue(): string | null; getValueRange(): Range | null } | null,
  ) => {
    const line = ins.getRange().start.line + 1;
    const text = value?.getValue();
    const range = value?.getValueRange();
    if (!text || !range) return;
    const from = expandImage(text, scope, at(ins));
    if (!isStage(from) && !/^\d+$/.test(from))
      add(from, at(ins), { line, kind, span: { start: offset(range.start), end: offset(range.end) } });
  };

  unreadConstructs(dockerfile, content, source);
  const frontend = frontendImage(content, buildArgs);
  if (frontend) {
    const where = frontend.source === 'directive' ? `${source}:${frontend.line} (syntax directive)` : 'build argument BUILDKIT_SYNTAX';
    if (!frontend.image) throw new NotarySignError('INPUT', `${where}: names no frontend image`);
    add(frontend.image, where, { line: frontend.line, kind: 'syntax', ...(frontend.span ? { span: frontend.span } : {}) });
  } else if (!dockerfile.getInstructions().some((i) => i instanceof From)) {
    // (A custom frontend reads its own format; the Dockerfile frontend needs a stage.)
    const what = dockerfile.getInstructions().length === 0 ? 'has no instructions' : 'has no FROM instruction';
    throw new NotarySignError('INPUT', `${source} ${what}: a build cannot use it; a Dockerfile starts its first stage with FROM <image>`);
  }

  for (const ins of dockerfile.getInstructions()) {
    const line = ins.getRange().start.line + 1;
    if (ins instanceof From) {
      const range = ins.getImageRange();
      const raw = ins.getImage();
      if (!range || !raw) throw new NotarySignError('INPUT', `${at(ins)}: FROM has no image; write FROM <image> [AS <name>]`);
      const image = expandImage(raw, scope, at(ins));
      if (image === '')
        throw new NotarySignError('INPUT', `${at(ins)}: FROM ${raw} expands to nothing; pass --build-arg or give the ARG a default`);
      const stage = ins.getBuildStage()?.toLowerCase();
      const flag = ins.getPlatformFlag()?.getValue();
      const platform = flag ? expandImage(flag, scope, at(ins)) : undefined;
      if (image !== 'scratch' && !isStage(image)) {
        add(image, at(ins), {
          line,
          kind: 'from',
          span: { start: offset(range.start), end: offset(range.end) },
          ...(stage ? { stage } : {}),
          ...(platform ? { platform } : {}),
        });
      }
      stages.push(stage ?? `\u0000${stages.length}`);
    } else if (ins instanceof Copy) {
      addFrom(ins, 'copy-from', ins.getFromFlag());
    } else if (ins instanceof Run) {
      for (const flag of ins.getFlags()) if (flag.getName() === 'mount') addFrom(ins, 'run-mount', mountFrom(flag, at(ins)));
    }
  }
  return images;
}

type Flag = ReturnType<Run['getFlags']>[number];

/**
 * The `from=` of a `RUN --mount` value as BuildKit's parseMount reads it: comma-separated fields, keys in any
 * case, the last `from=` winning. Quoted fields (CSV quoting) are refused rather than guessed at.
 */
function mountFrom(flag: Flag, where: string): { getValue(): string | null; getValueRange(): Range | null } | null {
  const value = flag.getValue();
  const range = flag.getValueRange();
  if (value === null || !range) return null;
  if (/["']/.test(value))
    throw new NotarySignError('INPUT', `${where}: --mount=${value} uses quotes, which notary-sign does not read yet; write it unquoted`);
  let found: { text: string; offset: number } | null = null;
  let offset = 0;
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq > 0 && field.slice(0, eq).trim().toLowerCase() === 'from') found = { text: field.slice(eq + 1), offset: offset + eq + 1 };
    offset += field.length + 1;
  }
  if (!found) return null;
  const { text, offset: at } = found;
  const start = { line: range.start.line, character: range.start.character + at };
  return { getValue: () => text, getValueRange: () => ({ start, end: { line: start.line, character: start.character + text.length } }) };
}

// A physical line that would make BuildKit pull an image if it were an instruction: FROM's grammar
// (`FROM [--flag…] image [AS name]`, so Python's `from os import path` in a heredoc is not one), or COPY/ADD/RUN
// whose arguments start with a flag (`--from=`, `--mount=`, however spelled).
const PULLS_IMAGE = /^\s*(?:onbuild\s+)?(?:from\s+(?:--\S+\s+)*\S+(?:\s+as\s+\S+)?\s*$|(?:copy|add|run)\s+--\S)/i;

/**
 * Fail closed where dockerfile-ast may read the file otherwise than BuildKit: a line that pulls an image but is
 * not read as an instruction (it sits after a heredoc or continuation the parsers may end differently), and flag
 * names written with quotes or escapes (BuildKit unquotes `--f"rom"` to `--from`).
 */
function unreadConstructs(dockerfile: ReturnType<typeof DockerfileAst.DockerfileParser.parse>, content: string, source: string): void {
  const escape = dockerfile.getEscapeCharacter();
  const starts = new Set(dockerfile.getInstructions().map((i) => i.getRange().start.line));
  const lines = content.split('\n');
  let continued = false;
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const comment = /^\s*#/.test(line);
    if (!starts.has(i) && !continued && !comment && PULLS_IMAGE.test(line)) {
      throw new NotarySignError(
        'INPUT',
        `${source}:${i + 1}: "${line.trim().slice(0, 80)}" is not read as an instruction here, though BuildKit may read it as one ` +
          `(it follows a heredoc or continuation); ` +
          `write heredoc delimiters plainly (<<EOF or <<"EOF") so the gate sees what the build does`,
      );
    }
    if (!comment) continued = line.trimEnd().endsWith(escape) && line.trim() !== '';
  }
  for (const ins of dockerfile.getInstructions()) {
    const withFlags = ins as unknown as { getFlags?: () => Flag[] };
    for (const flag of withFlags.getFlags?.() ?? []) {
      const name = flag.getName();
      if (/["'`\\]/.test(name) || name.includes(escape))
        throw new NotarySignError(
          'INPUT',
          `${source}:${ins.getRange().start.line + 1}: flag --${name} is written with quotes or escapes, ` +
            `which BuildKit removes; write it plainly`,
        );
    }
  }
}

/**
 * `expand` for text that names an image: a plain `$V` or `${V}` with no value is an error here, where BuildKit
 * would silently use an empty string and pull an image nobody wrote down.
 */
function expandImage(text: string, scope: Map<string, string>, where: string): string {
  for (const m of text.matchAll(/(\\?)\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g)) {
    const name = m[2] ?? m[3]!;
    if (m[1] === '' && !scope.has(name))
      throw new NotarySignError(
        'INPUT',
        `${where}: ${name} has no value in "${text}"; give ARG ${name} a default before the first FROM or pass --build-arg ${name}=…`,
      );
  }
  return expand(text, scope, where);
}

/** Docker's variable substitution: $V, ${V}, ${V:-d}, ${V-d}, ${V:+a}, ${V+a}, \$ escapes. */
export function expand(text: string, scope: Map<string, string>, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '$') {
      out += '$';
      i++;
    } else if (c !== '$') {
      out += c;
    } else if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) throw new NotarySignError('INPUT', `${where}: unterminated \${ in "${text}"`);
      const body = text.slice(i + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
      if (!m) throw new NotarySignError('INPUT', `${where}: unsupported substitution \${${body}} in "${text}"`);
      const [, name, op, word = ''] = m;
      const value = scope.get(name!);
      const set = op?.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
      if (op === ':-' || op === '-') out += set ? value : expand(word, scope, where);
      else if (op === ':+' || op === '+') out += set ? expand(word, scope, where) : '';
      else out += value ?? '';
      i = close;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      out += scope.get(m[0]) ?? '';
      i += m[0].length;
    }
  }
  return out;
}

/** The Dockerfile with each listed image replaced by its pinned form. */
export function pinDockerfile(content: string, pins: { span?: BaseImage['span']; pinned: string }[]): string {
  let out = content;
  const written = pins.filter((p): p is { span: NonNullable<BaseImage['span']>; pinned: string } => p.span !== undefined);
  for (const { span, pinned } of written.sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, span.start) + pinned + out.slice(span.end);
  }
  return out;
}

/** A file a build cannot read as a Dockerfile at all: empty, or binary (NUL bytes, invalid UTF-8). */
function unusable(content: string, source: string): void {
  if (content.trim() === '')
    throw new NotarySignError('INPUT', `${source} is empty: a build cannot use it; point the input at the Dockerfile`);
  if (content.includes('\u0000') || content.includes('\uFFFD'))
    throw new NotarySignError('INPUT', `${source} is not a text file (NUL bytes or invalid UTF-8): is it the Dockerfile?`);
}

// ARGs every build has without a declaration (BuildKit's predefined proxy ARGs and the frontend selector).
const PREDEFINED_ARGS = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY', 'BUILDKIT_SYNTAX'];

/** Build arguments the Dockerfile never declares: the build ignores them (BuildKit warns "were not consumed"). */
export function undeclaredBuildArgs(content: string, buildArgs: Record<string, string>): string[] {
  const declared = new Set<string>();
  const { DockerfileParser, Arg } = parser();
  for (const ins of DockerfileParser.parse(content).getInstructions())
    if (ins instanceof Arg) {
      const name = ins.getProperty()?.getName();
      if (name) declared.add(name);
    }
  const automatic = /^(TARGET|BUILD)(PLATFORM|OS|ARCH|VARIANT)$/;
  return Object.keys(buildArgs).filter((k) => !declared.has(k) && !automatic.test(k) && !PREDEFINED_ARGS.includes(k.toUpperCase()));
}
