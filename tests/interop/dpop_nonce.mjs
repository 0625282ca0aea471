// RFC 9449 section 8: a first DPoP proof without the server's nonce is answered with
// use_dpop_nonce; openid-client's handle keeps the nonce, and the request is made once more.
// Shared by the openid-client scripts (openid_client_fapi.mjs, openid_client_review.mjs).
export async function withNonce(call) {
  try {
    return await call();
  } catch (error) {
    if (error?.error === 'use_dpop_nonce' || error?.cause?.error === 'use_dpop_nonce') return await call();
    throw error;
  }
}
