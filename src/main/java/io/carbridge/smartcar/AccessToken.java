package io.carbridge.smartcar;

import io.carbridge.smartcar.SmartcarCallException.Kind;
import java.util.function.Function;

/**
 * The bearer token Smartcar calls carry, and what both API versions do when Smartcar stops taking it: a call answered
 * 401 gets a new token and is made once more; a second 401 is thrown as it is. With v3 it is the application token
 * ({@code v3.ApplicationToken}: fetched again), with v2.0 the owner's access token ({@code v2.ConnectionSession}: the
 * pair refreshed). A token is never logged.
 */
public abstract class AccessToken {

    /** The token to call with now. */
    protected abstract String current();

    /** A token in place of {@code refused}, which Smartcar answered 401 to ({@code why}, safe to log). */
    protected abstract String renew(String refused, String why);

    /** Makes a call with the token; when Smartcar answers 401, renews the token and makes the call once more. */
    public final <T> T call(Function<String, T> request) {
        String token = current();
        try {
            return request.apply(token);
        } catch (SmartcarCallException e) {
            if (e.kind() != Kind.UNAUTHORIZED) {
                throw e;
            }
            return request.apply(renew(token, e.getMessage()));
        }
    }
}
