package io.carbridge.smartcar.v3;

import static io.carbridge.smartcar.SmartcarHttp.bearer;
import static io.carbridge.smartcar.SmartcarHttp.encode;
import static io.carbridge.smartcar.SmartcarHttp.json;
import static io.carbridge.smartcar.SmartcarHttp.malformed;
import static io.carbridge.smartcar.SmartcarHttp.succeeded;
import static io.carbridge.smartcar.SmartcarHttp.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbridge.Json;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SmartcarApiRoutes.Endpoint;
import io.carbridge.smartcar.SmartcarCallException;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import io.carbridge.smartcar.SmartcarHttp;
import io.carbridge.smartcar.SmartcarMetrics;
import io.carbridge.smartcar.SmartcarSettings;
import io.carbridge.smartcar.VehicleStore.ConnectedVehicle;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Smartcar API v3 calls of the bridge, all with the application token ({@link ApplicationToken}, fetched again once
 * on a 401): the application's connections and a vehicle's signals (Vehicles API), and the webhook and its
 * subscriptions (Management API). Each goes through its camel-http endpoint ({@link #endpoints}).
 *
 * <p>Where Smartcar's sources disagree, every shape they show is accepted: a resource wrapped in {@code data} or not, a
 * list as JSON:API ({@code data}, {@code meta.totalCount}, {@code links.next}) or as a bare array, paging by
 * {@code links.next}, by {@code meta.totalCount}, or by neither (then pages are read until an empty one). A listing
 * that cannot be read in full says so ({@link ConnectionListing#complete()}), so that it never marks a vehicle gone.
 */
final class V3Client {

    /** More pages than this in one listing is a paging loop, not a fleet (100,000 connections by 100). */
    private static final int MAX_PAGES = 1_000;
    /** More pages of one vehicle's signals than this is a paging loop (Smartcar has a few hundred signals in all). */
    private static final int MAX_SIGNAL_PAGES = 50;

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final SmartcarHttp http;
    private final SmartcarSettings settings;
    private final String clientSecret;
    private final SmartcarMetrics metrics;
    private final ApplicationToken token;

    V3Client(SmartcarHttp http, SmartcarSettings settings, String clientSecret, SmartcarMetrics metrics, Clock clock) {
        this.http = http;
        this.settings = settings;
        this.clientSecret = clientSecret;
        this.metrics = metrics;
        this.token = new ApplicationToken(this::fetchApplicationToken, clock);
    }

    /** The camel-http endpoint of each call: the IAM token endpoint, the Vehicles API and the Management API. */
    static List<Endpoint> endpoints(String iamUrl, String vehicleApiUrl, String managementApiUrl) {
        return List.of(
                new Endpoint("application-token", "smartcar-iam-token", iamUrl, "POST"),
                new Endpoint("connections", "smartcar-vehicle-api-connections", vehicleApiUrl, "GET"),
                // not smartcar-webhook: that is the intake's route
                new Endpoint(
                        "webhook", "smartcar-read-webhook", "smartcar-management-webhook", managementApiUrl, "GET"),
                new Endpoint(
                        "create-subscription", "smartcar-management-create-subscription", managementApiUrl, "POST"),
                new Endpoint("find-subscriptions", "smartcar-management-find-subscriptions", managementApiUrl, "GET"),
                new Endpoint(
                        "delete-subscription", "smartcar-management-delete-subscription", managementApiUrl, "DELETE"),
                new Endpoint("signals", "smartcar-vehicle-api-signals", vehicleApiUrl, "GET"));
    }

    /**
     * Every connection of the application; {@code complete} when every page was read, every item understood and the
     * count reached {@code meta.totalCount}. Only a complete listing may mark vehicles gone.
     */
    record ConnectionListing(List<ConnectedVehicle> vehicles, boolean complete, List<String> problems) {}

    /** {@code GET /webhooks/{id}}: whether the webhook subscribes every vehicle of the application by itself. */
    boolean webhookSubscribesEveryVehicle() {
        JsonNode webhook = resource(json(
                token.call(bearer -> call("webhook", "/webhooks/" + encode(settings.webhookId()), null, bearer)),
                "webhook"));
        JsonNode autoSubscribe = webhook.path("attributes").has("autoSubscribe")
                ? webhook.path("attributes").path("autoSubscribe")
                : webhook.path("autoSubscribe");
        if (autoSubscribe.isMissingNode() || autoSubscribe.isNull()) {
            return false;
        }
        if (autoSubscribe.isBoolean()
                || (autoSubscribe.isTextual() && autoSubscribe.asText().matches("true|false"))) {
            return autoSubscribe.asBoolean();
        }
        throw malformed("webhook", "autoSubscribe is neither true nor false");
    }

    /** {@code GET /connections}, every page: the vehicles connected to the application, through any front end. */
    ConnectionListing connections() {
        List<ConnectedVehicle> vehicles = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        // every item as read, readable or not, so that a page that only repeats earlier ones is caught as a paging loop
        Set<String> itemsRead = new HashSet<>();
        Integer total = null;
        int number = 1;
        String query = pageQuery(number);
        for (int pages = 0; query != null; pages++) {
            if (pages == MAX_PAGES) {
                throw malformed("connections", "more than " + MAX_PAGES + " pages");
            }
            String pageQuery = query;
            JsonNode body = listBody(
                    token.call(bearer -> call("connections", "/connections", pageQuery, bearer)), "connections");
            JsonNode items = items(body, "connections");
            total = total != null ? total : totalCount(body);
            boolean anyNew = false;
            for (JsonNode item : items) {
                if (!itemsRead.add(item.toString())) {
                    continue;
                }
                anyNew = true;
                ConnectedVehicle vehicle = connectedVehicle(item, problems);
                if (vehicle != null && seen.add(vehicle.connectionId())) {
                    vehicles.add(vehicle);
                }
            }
            if (!items.isEmpty() && !anyNew) {
                throw malformed("connections", "page " + number + " repeats the connections already read");
            }
            number++;
            query = items.isEmpty() ? null : nextConnectionsPage(body, seen.size(), number);
        }
        if (total != null && seen.size() < total) {
            problems.add("read " + seen.size() + " connections of the " + total + " meta.totalCount announced");
        }
        return new ConnectionListing(vehicles, problems.isEmpty(), problems);
    }

    /** {@code POST /subscriptions}: 202 (creation in progress) and 409 (already subscribed) both mean subscribed. */
    void subscribe(String userId, String vehicleId) {
        ObjectNode attributes = Json.MAPPER
                .createObjectNode()
                .put("webhookId", settings.webhookId())
                .put("userId", userId)
                .put("vehicleId", vehicleId);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("data").set("attributes", attributes);
        token.call(bearer -> {
            SmartcarHttp.Response response = http.send(
                    "create-subscription", "/subscriptions", null, bearer(bearer), SmartcarHttp.JSON, body.toString());
            return response.status() == 409 ? response : succeeded(response);
        });
    }

    /**
     * Removes the vehicle's subscriptions to the webhook: {@code GET
     * /subscriptions?filter[vehicleId]&filter[webhookId]}, then {@code DELETE /subscriptions/{id}} for each (404:
     * already gone). Returns how many were removed.
     */
    int unsubscribe(String vehicleId) {
        String query =
                "filter%5BvehicleId%5D=" + encode(vehicleId) + "&filter%5BwebhookId%5D=" + encode(settings.webhookId());
        JsonNode items = items(
                listBody(
                        token.call(bearer -> call("find-subscriptions", "/subscriptions", query, bearer)),
                        "subscriptions"),
                "subscriptions");
        int removed = 0;
        for (JsonNode item : items) {
            String subscriptionId = text(item, "id", "subscriptions");
            if (!SmartcarHttp.ID.matcher(subscriptionId).matches()) {
                throw malformed("subscriptions", "a subscription id that is not an id");
            }
            // should the filter not have been applied, another vehicle's or webhook's subscription is left alone
            if (relatedOtherThan(item, "vehicle", vehicleId)
                    || relatedOtherThan(item, "webhook", settings.webhookId())) {
                continue;
            }
            token.call(bearer -> {
                SmartcarHttp.Response response = http.send(
                        "delete-subscription", "/subscriptions/" + subscriptionId, null, bearer(bearer), null, null);
                return response.status() == 404 ? response : succeeded(response);
            });
            removed++;
        }
        return removed;
    }

    /**
     * {@code GET /vehicles/{id}/signals} as the vehicle's user ({@code sc-user-id}), every page: following
     * {@code links.next} (its query only, as with the connections), else the next {@code page} while
     * {@code meta.totalCount} is not reached. Each page is one request of {@code budget} (which may wait for it).
     */
    SmartcarApi.VehicleSignals signals(String userId, String vehicleId, Runnable budget) {
        List<Map<String, Object>> items = new ArrayList<>();
        Set<String> itemsRead = new HashSet<>();
        Map<String, Object> vehicle = Map.of();
        String query = null;
        for (int page = 1; ; page++) {
            if (page > MAX_SIGNAL_PAGES) {
                throw malformed("signals", "more than " + MAX_SIGNAL_PAGES + " pages");
            }
            budget.run();
            String pageQuery = query;
            JsonNode body = listBody(
                    token.call(bearer -> succeeded(http.send(
                            "signals",
                            "/vehicles/" + encode(vehicleId) + "/signals",
                            pageQuery,
                            bearer(bearer),
                            null,
                            null,
                            Map.of("sc-user-id", userId)))),
                    "signals");
            JsonNode data = items(body, "signals");
            boolean anyNew = false;
            for (JsonNode item : data) {
                if (item.isObject() && itemsRead.add(item.toString())) {
                    anyNew = true;
                    items.add(Json.MAPPER.convertValue(item, MAP));
                }
            }
            JsonNode included = body.path("included").path("vehicle").path("attributes");
            if (included.isObject()) {
                vehicle = Json.MAPPER.convertValue(included, MAP);
            }
            if (data.isEmpty() || !anyNew) {
                break;
            }
            query = nextSignalsPage(body, items.size(), page + 1);
            if (query == null) {
                break;
            }
        }
        return new SmartcarApi.VehicleSignals(items, vehicle);
    }

    /**
     * The query of the next page of signals, or null after the last one: by {@code links.next}, else by {@code page}.
     */
    private static String nextSignalsPage(JsonNode body, int read, int number) {
        return nextPage(body, "signals", () -> {
            Integer total = totalCount(body);
            return total != null && read < total ? "page=" + number : null;
        });
    }

    /**
     * Client credentials at SMARTCAR_IAM_URL; a refusal (4xx) is {@link Kind#CREDENTIALS_REFUSED}, not a 401 to retry.
     */
    private ApplicationToken.Grant fetchApplicationToken() {
        try {
            SmartcarHttp.Response response = http.send(
                    "application-token",
                    null,
                    null,
                    null,
                    SmartcarHttp.FORM,
                    SmartcarHttp.form(
                            "grant_type",
                            "client_credentials",
                            "client_id",
                            settings.clientId(),
                            "client_secret",
                            clientSecret));
            if (response.status() >= 400 && response.status() < 500 && response.status() != 429) {
                throw new SmartcarCallException(
                        Kind.CREDENTIALS_REFUSED, response.operation() + ": " + SmartcarHttp.describe(response));
            }
            JsonNode body = json(succeeded(response), "application token");
            JsonNode expiresIn = body.path("expires_in");
            if (!expiresIn.canConvertToInt() || expiresIn.asInt() <= 0) {
                throw malformed("application token", "no expires_in");
            }
            ApplicationToken.Grant grant = new ApplicationToken.Grant(
                    text(body, "access_token", "application token"), Duration.ofSeconds(expiresIn.asInt()));
            metrics.applicationToken("fetched");
            return grant;
        } catch (SmartcarCallException e) {
            metrics.applicationToken("failed");
            throw e;
        }
    }

    private SmartcarHttp.Response call(String operation, String path, String query, String token) {
        return succeeded(http.send(operation, path, query, bearer(token), null, null));
    }

    private String pageQuery(int number) {
        return "page%5Bnumber%5D=" + number + "&page%5Bsize%5D=" + settings.pageSize();
    }

    /**
     * The query of the next page of connections: by {@code links.next} when the answer has links, else the next number
     * while {@code meta.totalCount} is not reached, else the next number (the caller stops at an empty page). Null
     * after the last page.
     */
    private String nextConnectionsPage(JsonNode body, int read, int number) {
        return nextPage(body, "connections", () -> {
            Integer total = totalCount(body);
            return total == null || read < total ? pageQuery(number) : null;
        });
    }

    /**
     * The query of {@code links.next} when the answer has links (only its query: the request goes to the configured
     * host and path, whatever the link names), null when it is null; else what {@code withoutLinks} says.
     */
    private static String nextPage(JsonNode body, String what, Supplier<String> withoutLinks) {
        JsonNode links = body.path("links");
        if (!links.has("next")) {
            return withoutLinks.get();
        }
        JsonNode next = links.path("next");
        if (!next.isTextual() || next.asText().isBlank()) {
            return null;
        }
        String link = next.asText();
        int query = link.indexOf('?');
        if (query < 0 || link.length() > 2_000 || link.chars().anyMatch(c -> c <= ' ')) {
            throw malformed(what, "links.next is not a page link");
        }
        return link.substring(query + 1);
    }

    /**
     * One listed connection, or null (with the problem noted) when it has no id, or names no readable vehicle or user.
     */
    private static ConnectedVehicle connectedVehicle(JsonNode item, List<String> problems) {
        String connectionId = optionalText(item.path("id"));
        String vehicleId = relatedId(item, "vehicle");
        String userId = relatedId(item, "user");
        if (connectionId == null || vehicleId == null || userId == null) {
            problems.add("a connection without a readable id, vehicle id or user id"
                    + (connectionId != null ? " (" + connectionId + ")" : ""));
            return null;
        }
        JsonNode vehicle = item.path("attributes").path("vehicle");
        return new ConnectedVehicle(
                connectionId,
                vehicleId,
                userId,
                optionalText(vehicle.path("make")),
                optionalText(vehicle.path("model")),
                SmartcarHttp.year(vehicle.path("year")));
    }

    /** {@code relationships.<name>.data.id} when it is an id; null otherwise. */
    private static String relatedId(JsonNode item, String name) {
        JsonNode id = item.path("relationships").path(name).path("data").path("id");
        return id.isTextual() && SmartcarHttp.ID.matcher(id.asText()).matches() ? id.asText() : null;
    }

    private static boolean relatedOtherThan(JsonNode item, String name, String expected) {
        JsonNode id = item.path("relationships").path(name).path("data").path("id");
        return id.isTextual() && !id.asText().equals(expected);
    }

    /** A JSON:API document ({@code {"data": ...}}) or the resource itself: the resource. */
    private static JsonNode resource(JsonNode body) {
        return body.path("data").isObject() ? body.path("data") : body;
    }

    /** A list answer: a JSON:API document, or a bare array. */
    private static JsonNode listBody(SmartcarHttp.Response response, String what) {
        JsonNode body = SmartcarHttp.errorBody(response);
        if (!body.isObject() && !body.isArray()) {
            throw malformed(
                    what, response.body() == null || response.body().length == 0 ? "empty body" : "not a JSON object");
        }
        return body;
    }

    private static JsonNode items(JsonNode body, String what) {
        JsonNode items = body.isArray() ? body : body.path("data");
        if (!items.isArray()) {
            throw malformed(what, "no data array");
        }
        return items;
    }

    private static Integer totalCount(JsonNode body) {
        JsonNode total = body.path("meta").path("totalCount");
        return total.canConvertToInt() && total.asInt() >= 0 ? total.asInt() : null;
    }

    private static String optionalText(JsonNode value) {
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }
}
