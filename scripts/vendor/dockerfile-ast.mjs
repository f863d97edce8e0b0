// The names src/verify-base/dockerfile.ts uses, as ES module exports of the vendor build (dockerfile-ast is CommonJS).
export { Arg, Copy, DockerfileParser, From, Run } from 'dockerfile-ast';
