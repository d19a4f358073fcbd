/**
 * What a rejected server certificate means, by its code: a host name the certificate does not name, an expired
 * certificate and an untrusted CA each have a different fix, and saying "not trusted" for all of them sends the
 * user after the wrong one.
 */

const ALTNAME = /^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_FORMAT|CERT_COMMON_NAME_INVALID)$/;
const DATES = /^(CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_SSL_CERTIFICATE_EXPIRED)$/;
const TLS = /CERT|SELF_SIGNED|TLS|SSL/;

/** Whether a network error code is a TLS certificate failure (any kind). */
export function isTlsCode(code: string | undefined): code is string {
  return code !== undefined && TLS.test(code);
}

/**
 * The hint for a certificate failure while talking to `host`; `flag` names the option that sets that host
 * (--graph-url, --authority-host). Undefined for a code that is not a certificate failure.
 */
export function tlsHint(code: string | undefined, host: string, flag: string): string | undefined {
  if (!isTlsCode(code)) return undefined;
  if (ALTNAME.test(code)) {
    return `the server certificate is not issued for the host name ${host}: check the host in ${flag} (it must be a name the certificate lists)`;
  }
  if (DATES.test(code)) return `the server certificate of ${host} has expired or is not valid yet: check this machine's clock, or renew the certificate`;
  return `the server certificate of ${host} is not trusted: give its CA with --ca-cert or NODE_EXTRA_CA_CERTS`;
}
