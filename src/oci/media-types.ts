export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  NotarySignature: 'application/vnd.cncf.notary.signature',
  NotaryPayload: 'application/vnd.cncf.notary.payload.v1+json',
  Jws: 'application/jose+json',
  Cose: 'application/cose',
} as const;

export const MANIFEST_ACCEPT = [MediaType.OciManifest, MediaType.OciIndex, MediaType.DockerManifest, MediaType.DockerManifestList].join(
  ', ',
);

export const isIndexMediaType = (mt: string): boolean => mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;

export const Annotation = {
  Thumbprints: 'io.cncf.notary.x509chain.thumbprint#S256',
  Created: 'org.opencontainers.image.created',
} as const;

/** The empty JSON config `{}` every OCI 1.1 artifact manifest points at. */
export const EMPTY_CONFIG = {
  mediaType: MediaType.OciEmpty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;
export const EMPTY_CONFIG_BYTES = new TextEncoder().encode('{}');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string; 'os.version'?: string };
}

/** The envelope media types a Notary Project signature manifest may carry (JWS, COSE). */
export const SIGNATURE_ENVELOPE_TYPES: readonly string[] = [MediaType.Jws, MediaType.Cose];
