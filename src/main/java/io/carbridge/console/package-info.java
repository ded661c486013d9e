/** Serves the operator console's static files at {@code /console}; the page itself is a client of the admin API. */
package io.carbridge.console;
