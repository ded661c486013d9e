/**
 * The embedded HTTP servers' own limits (idle connections, slow bodies, a cap on connections, malformed URIs) and the
 * request's own headers, where credentials are read. Owns no table.
 */
package io.carbridge.http;
