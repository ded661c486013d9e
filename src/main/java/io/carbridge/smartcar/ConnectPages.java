package io.carbridge.smartcar;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The answers of {@code /connect/*}: a redirect or a short HTML page. Every request header is dropped first
 * (platform-http would write each back as a response header), and the page's URL is never sent on as a referrer, since
 * the callback URL carries the authorization code.
 */
final class ConnectPages {

    private ConnectPages() {}

    static void redirect(Exchange exchange, String location) {
        Message message = answer(exchange, 302);
        message.setHeader("Location", location);
        message.setBody(null);
    }

    static void page(Exchange exchange, int status, String title, String text) {
        Message message = answer(exchange, status);
        message.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        message.setBody("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + escape(title)
                + "</title></head>"
                + "<body><h1>" + escape(title) + "</h1><p>" + escape(text) + "</p></body></html>\n");
    }

    private static Message answer(Exchange exchange, int status) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader("Referrer-Policy", "no-referrer");
        message.setHeader("X-Content-Type-Options", "nosniff");
        return message;
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
