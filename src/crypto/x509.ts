// @peculiar/x509 resolves its services through tsyringe, which needs the
// Reflect metadata API loaded first. Import x509 only from here.
import 'reflect-metadata';
export * from '@peculiar/x509';
