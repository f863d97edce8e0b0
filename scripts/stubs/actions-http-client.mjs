// @actions/core imports @actions/http-client (and undici, ~400 KiB) only for
// core.getIDToken(), which notary-sign never calls: it fetches the GitHub ID
// token itself. This stub keeps that weight out of the action's cold start and
// fails loudly should anything reach it.
const unavailable = () => {
  throw new Error('@actions/http-client is not bundled with notary-sign');
};
export class HttpClient {
  constructor() {
    unavailable();
  }
}
export class BearerCredentialHandler {
  constructor() {
    unavailable();
  }
}
export const HttpCodes = {};
export default { HttpClient, BearerCredentialHandler, HttpCodes };
