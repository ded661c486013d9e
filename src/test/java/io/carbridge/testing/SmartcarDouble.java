package io.carbridge.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Smartcar on loopback: one WireMock server for the test JVM, on the port {@link TestPorts#SMARTCAR} publishes as
 * {@code test.smartcar.port}, which {@code smartcar-test.properties} (API v2.0) and {@code smartcar-v3-test.properties}
 * (API v3) read for their base URLs. The stubs answer as Smartcar documents its REST API v2.0 and OAuth token endpoint,
 * and its API v3 (IAM token, {@code /connections}, Management API {@code /webhooks} and {@code /subscriptions}, see
 * {@link #v3Application()}), in every shape its sources show where they disagree. A test class holds an instance in a
 * static field, so the server runs before the extension builds the context.
 *
 * <p>{@link #v2()} and {@link #v3()} answer in the words both API versions share ({@link Version}: vehicles connected,
 * listed, subscribed, unsubscribed), each as its version does, so that a test of a behaviour both versions have is
 * written once and run against each.
 */
public final class SmartcarDouble {

    /** List it first in {@code propertyPlaceholderLocations}: turns Connect and the sync on against this double. */
    public static final String PROPERTIES = "classpath:smartcar-test.properties";

    public static final String WEBHOOK_ID = "wh-test-1";
    public static final String MANAGEMENT_TOKEN = Fixtures.MANAGEMENT_TOKEN;
    /** HTTP Basic of test-client-id:test-client-secret. */
    public static final String CLIENT_CREDENTIALS = "Basic dGVzdC1jbGllbnQtaWQ6dGVzdC1jbGllbnQtc2VjcmV0";

    public static final String API = "/v2.0";
    public static final int PAGE_SIZE = 2;

    /**
     * List it first in {@code propertyPlaceholderLocations}: Connect and the sync on Smartcar API v3 against this
     * double.
     */
    public static final String V3_PROPERTIES = "classpath:smartcar-v3-test.properties";
    /** The v3 API client the application token is asked with, and Connect's Application ID. */
    public static final String V3_CLIENT_ID = "client_test-api-client";

    public static final String V3_CLIENT_SECRET = "test-api-client-secret";
    public static final String APPLICATION_ID = "0d6b7c2e-5f1a-4c39-9e44-7a1b2c3d4e5f";
    /** The base paths of the v3 endpoints on this double. */
    public static final String IAM_TOKEN = "/iam/oauth2/token";

    public static final String VEHICLE_API = "/vehicle/v3";
    public static final String MANAGEMENT_API = "/management/v3";

    private static final WireMockServer SERVER = start();

    private static WireMockServer start() {
        WireMockServer server =
                new WireMockServer(options().bindAddress("127.0.0.1").port(TestPorts.SMARTCAR));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return server;
    }

    public WireMockServer server() {
        return SERVER;
    }

    public void reset() {
        SERVER.resetAll();
    }

    /** The environment of a bridge process (v3) whose Smartcar is this double; a mutable map, for the caller's own. */
    public Map<String, String> v3Environment() {
        String base = "http://127.0.0.1:" + SERVER.port();
        return new HashMap<>(Map.of(
                "SMARTCAR_CLIENT_ID",
                V3_CLIENT_ID,
                "SMARTCAR_CLIENT_SECRET",
                V3_CLIENT_SECRET,
                "SMARTCAR_APPLICATION_ID",
                APPLICATION_ID,
                "SMARTCAR_REDIRECT_URI",
                "https://bridge.example.com/connect/callback",
                "SMARTCAR_WEBHOOK_ID",
                WEBHOOK_ID,
                "SMARTCAR_IAM_URL",
                base + IAM_TOKEN,
                "SMARTCAR_VEHICLE_API_URL",
                base + VEHICLE_API,
                "SMARTCAR_MANAGEMENT_API_URL",
                base + MANAGEMENT_API));
    }

    /**
     * A clean start for the next test: the double forgets its stubs and calls, the bridge its connections and vehicles.
     */
    public void resetWith(JdbcTemplate bridgeDatabase) {
        reset();
        for (String table : new String[] {"vehicle", "smartcar_connection", "connect_state", "smartcar_rate_limit"}) {
            bridgeDatabase.update("DELETE FROM " + table);
        }
        bridgeDatabase.update(
                "UPDATE connection_listing SET claimed_until = NULL, claimed_by = NULL, failure_count = 0, "
                        + "next_sync_at = NULL, last_error = NULL, last_error_at = NULL, last_synced_at = NULL, listed_connections = NULL, "
                        + "webhook_auto_subscribe = NULL");
    }

    public void stub(MappingBuilder mapping) {
        SERVER.stubFor(mapping);
    }

    public int count(RequestPatternBuilder request) {
        return SERVER.countRequestsMatching(request.build()).getCount();
    }

    public int requests() {
        return SERVER.getAllServeEvents().size();
    }

    /** The token endpoint answering the code exchange of {@code code} with a fresh pair. */
    public void codeExchange(String code, String accessToken, String refreshToken) {
        stub(post(urlPathEqualTo("/oauth/token"))
                .withHeader("Authorization", equalTo(CLIENT_CREDENTIALS))
                .withRequestBody(containing("grant_type=authorization_code"))
                .withRequestBody(containing("code=" + code + "&"))
                .willReturn(tokens(accessToken, refreshToken)));
    }

    /** The token endpoint answering a refresh of {@code refreshToken} with a new pair. */
    public void refresh(String refreshToken, String newAccessToken, String newRefreshToken) {
        stub(post(urlPathEqualTo("/oauth/token"))
                .withHeader("Authorization", equalTo(CLIENT_CREDENTIALS))
                .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=" + refreshToken))
                .willReturn(tokens(newAccessToken, newRefreshToken)));
    }

    public static ResponseDefinitionBuilder tokens(String accessToken, String refreshToken) {
        return okJson("{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":7200,"
                + "\"refresh_token\":\"" + refreshToken + "\"}");
    }

    public void user(String accessToken, String userId) {
        stub(get(urlPathEqualTo(API + "/user"))
                .withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(okJson("{\"id\":\"" + userId + "\"}")));
    }

    /** {@code GET /vehicles}, one stub per page of {@link #PAGE_SIZE}, with paging as Smartcar sends it. */
    public void vehicles(String accessToken, String... vehicleIds) {
        int offset = 0;
        do {
            List<String> page =
                    Arrays.asList(vehicleIds).subList(offset, Math.min(offset + PAGE_SIZE, vehicleIds.length));
            stub(vehiclesPage(accessToken, offset)
                    .willReturn(okJson("{\"vehicles\":["
                            + page.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(","))
                            + "],\"paging\":{\"count\":" + vehicleIds.length + ",\"offset\":" + offset + "}}")));
            offset += PAGE_SIZE;
        } while (offset < vehicleIds.length);
    }

    public static MappingBuilder vehiclesPage(String accessToken, int offset) {
        return get(urlPathEqualTo(API + "/vehicles"))
                .withHeader("Authorization", equalTo("Bearer " + accessToken))
                .withQueryParam("limit", equalTo(String.valueOf(PAGE_SIZE)))
                .withQueryParam("offset", equalTo(String.valueOf(offset)));
    }

    public void attributes(String accessToken, String vehicleId, String make, String model, int year) {
        stub(attributesOf(accessToken, vehicleId)
                .willReturn(okJson("{\"id\":\"" + vehicleId + "\",\"make\":\"" + make + "\",\"model\":\"" + model
                        + "\",\"year\":" + year + "}")));
    }

    public static MappingBuilder attributesOf(String accessToken, String vehicleId) {
        return get(urlPathEqualTo(API + "/vehicles/" + vehicleId))
                .withHeader("Authorization", equalTo("Bearer " + accessToken));
    }

    public void subscribe(String accessToken, String vehicleId) {
        stub(subscription(accessToken, vehicleId)
                .willReturn(okJson("{\"webhookId\":\"" + WEBHOOK_ID + "\",\"vehicleId\":\"" + vehicleId + "\"}")));
    }

    public static MappingBuilder subscription(String accessToken, String vehicleId) {
        return post(urlPathEqualTo(API + "/vehicles/" + vehicleId + "/webhooks/" + WEBHOOK_ID))
                .withHeader("Authorization", equalTo("Bearer " + accessToken));
    }

    /** Unsubscribe takes the Application Management Token as the bearer, not the owner's token. */
    public void unsubscribe(String vehicleId) {
        stub(delete(urlPathEqualTo(API + "/vehicles/" + vehicleId + "/webhooks/" + WEBHOOK_ID))
                .withHeader("Authorization", equalTo("Bearer " + MANAGEMENT_TOKEN))
                .willReturn(okJson("{\"status\":\"success\"}")));
    }

    /** A vehicle owner with these vehicles, each answering its attributes and a subscription with the access token. */
    public void owner(String accessToken, Map<String, String> makeAndModelByVehicle, int year) {
        vehicles(accessToken, makeAndModelByVehicle.keySet().toArray(String[]::new));
        makeAndModelByVehicle.forEach((vehicleId, makeAndModel) -> {
            String[] parts = makeAndModel.split(" ", 2);
            attributes(accessToken, vehicleId, parts[0], parts[1], year);
            subscribe(accessToken, vehicleId);
        });
    }

    /**
     * An owner going through Connect with the bridge: {@code /connect/start}, then the callback Smartcar would send,
     * with the code exchange and {@code /user} answered by this double. Returns the callback's answer.
     */
    public BridgeHttp.Response connect(
            BridgeHttp bridge, String userId, String reference, String accessToken, String refreshToken) {
        String state = query(
                        bridge.get("/connect/start?ref=" + reference, Map.of()).header("Location"))
                .get("state");
        return bridge.get(
                "/connect/callback?code=" + answeredCode(userId, accessToken, refreshToken) + "&state=" + state,
                Map.of());
    }

    /** A code Smartcar exchanges for this token pair of the user's. */
    private String answeredCode(String userId, String accessToken, String refreshToken) {
        String code = "code-" + userId + "-" + System.nanoTime();
        codeExchange(code, accessToken, refreshToken);
        user(accessToken, userId);
        return code;
    }

    /** The decoded query parameters of a URL. */
    public static Map<String, String> query(String url) {
        return Arrays.stream(URI.create(url).getRawQuery().split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }

    // --- Smartcar API v3
    // ----------------------------------------------------------------------------------------------

    private static final AtomicInteger TOKENS = new AtomicInteger();
    private volatile String applicationToken;

    /**
     * A new v3 application: the double forgets its stubs (not the requests it saw), the IAM endpoint issues a token of
     * its own (returned), and Smartcar's v3 APIs answer 401, with the v3 error body, to any other bearer, as Smartcar
     * does to an expired or foreign token. So a token a bridge still holds from earlier is refused once and replaced,
     * and every stub of this class for the vehicle and management APIs requires the token issued here.
     */
    public String v3Application() {
        return v3Application(3600);
    }

    /** {@link #v3Application()} with tokens that live {@code expiresInSeconds}. */
    public String v3Application(int expiresInSeconds) {
        SERVER.resetMappings();
        applicationToken = "v3-app-token-" + TOKENS.incrementAndGet() + "-" + System.nanoTime();
        stub(applicationTokenRequest()
                .willReturn(okJson("{\"access_token\":\"" + applicationToken + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":" + expiresInSeconds + "}")));
        for (String api : new String[] {VEHICLE_API, MANAGEMENT_API}) {
            stub(any(urlPathMatching(api + "/.*"))
                    .atPriority(10)
                    .willReturn(v3Error(
                            401,
                            "AUTHENTICATION",
                            null,
                            "Unauthorized",
                            "The access token is invalid or expired",
                            "REAUTHENTICATE")));
        }
        return applicationToken;
    }

    /**
     * The client-credentials request as Smartcar documents it: a form body with the grant, the client id and secret.
     */
    public static MappingBuilder applicationTokenRequest() {
        return post(urlPathEqualTo(IAM_TOKEN))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                .withRequestBody(equalTo("grant_type=client_credentials&client_id=" + V3_CLIENT_ID + "&client_secret="
                        + V3_CLIENT_SECRET));
    }

    /** The token {@link #v3Application()} issued last. */
    public String applicationToken() {
        return applicationToken;
    }

    /** How a v3 list answer pages, in each shape Smartcar's sources show. */
    public enum Paging {
        /** JSON:API: {@code data}, {@code meta.totalCount} and {@code links.next} (absolute, brackets unencoded). */
        JSON_API,
        /** {@code data} and {@code meta.totalCount}, no links. */
        TOTAL_COUNT_ONLY,
        /** A bare array per page, and an empty page after the last. */
        BARE_ARRAY
    }

    /** One connection: a user and a vehicle, with the vehicle's make, model and year. */
    public record Connection(
            String connectionId, String vehicleId, String userId, String make, String model, int year) {}

    /** A connection of {@code userId}'s vehicle, "MAKE Model". */
    public static Connection connection(String vehicleId, String userId, String makeAndModel, int year) {
        String[] parts = makeAndModel.split(" ", 2);
        return new Connection("conn-" + vehicleId + "-" + userId, vehicleId, userId, parts[0], parts[1], year);
    }

    /** {@code GET /connections}, one stub per page of {@link #PAGE_SIZE}, as JSON:API. */
    public void connections(Connection... connections) {
        connections(Paging.JSON_API, connections);
    }

    public void connections(Paging paging, Connection... connections) {
        int pages = Math.max(1, (connections.length + PAGE_SIZE - 1) / PAGE_SIZE);
        for (int number = 1; number <= pages + (paging == Paging.BARE_ARRAY ? 1 : 0); number++) {
            List<Connection> page = number > pages
                    ? List.of()
                    : Arrays.asList(connections)
                            .subList((number - 1) * PAGE_SIZE, Math.min(number * PAGE_SIZE, connections.length));
            String items =
                    "[" + page.stream().map(SmartcarDouble::connectionJson).collect(Collectors.joining(",")) + "]";
            String meta = "\"meta\":{\"pageNumber\":" + number + ",\"pageSize\":" + PAGE_SIZE + ",\"totalCount\":"
                    + connections.length + ",\"orderBy\":\"createdAt\",\"orderDirection\":\"DESC\"}";
            String body =
                    switch (paging) {
                        case JSON_API ->
                            "{\"data\":" + items + "," + meta + ",\"links\":{\"self\":" + pageLink(number)
                                    + ",\"first\":" + pageLink(1)
                                    + ",\"last\":" + pageLink(pages) + ",\"next\":"
                                    + (number < pages ? pageLink(number + 1) : "null")
                                    + ",\"prev\":" + (number > 1 ? pageLink(number - 1) : "null") + "}}";
                        case TOTAL_COUNT_ONLY ->
                            "{\"data\":" + items + ",\"meta\":{\"totalCount\":" + connections.length + "}}";
                        case BARE_ARRAY -> items;
                    };
            stub(connectionsPage(number).willReturn(okJson(body)));
        }
    }

    public MappingBuilder connectionsPage(int number) {
        return get(urlPathEqualTo(VEHICLE_API + "/connections"))
                .withHeader("Authorization", equalTo("Bearer " + applicationToken))
                .withQueryParam("page[number]", equalTo(String.valueOf(number)))
                .withQueryParam("page[size]", equalTo(String.valueOf(PAGE_SIZE)));
    }

    /** One {@code data[]} item of {@code GET /connections}, as the HA3 fixture captured it live. */
    public static String connectionJson(Connection connection) {
        return "{\"id\":\"" + connection.connectionId() + "\",\"type\":\"connection\",\"attributes\":{\"permissions\":"
                + "[\"read_vehicle_info\"],\"vehicle\":{\"make\":\"" + connection.make() + "\",\"model\":\""
                + connection.model()
                + "\",\"year\":" + connection.year()
                + ",\"mode\":\"live\",\"powertrainType\":\"BEV\"}},\"relationships\":{"
                + "\"vehicle\":{\"data\":{\"id\":\"" + connection.vehicleId() + "\",\"type\":\"vehicle\"}},"
                + "\"user\":{\"data\":{\"id\":\"" + connection.userId() + "\",\"type\":\"user\"}}},"
                + "\"meta\":{\"createdAt\":\"2026-05-03T02:45:45.349Z\",\"updatedAt\":\"2026-06-21T02:56:21.130Z\"}}";
    }

    private static String pageLink(int number) {
        return "\"https://vehicle.api.smartcar.com/v3/connections?page[number]=" + number + "&page[size]=" + PAGE_SIZE
                + "\"";
    }

    /**
     * {@code GET /webhooks/{id}}, its resource wrapped in {@code data} (as the docs show) or not (as the SDKs parse).
     */
    public void webhook(boolean autoSubscribe, boolean wrapped) {
        String resource = "{\"id\":\"" + WEBHOOK_ID + "\",\"type\":\"webhook\",\"attributes\":{\"name\":\"Bridge\","
                + "\"callbackUri\":\"https://bridge.example.com/webhooks/smartcar\",\"isEnabled\":true,\"autoSubscribe\":"
                + autoSubscribe + "}}";
        stub(webhookRequest().willReturn(okJson(wrapped ? "{\"data\":" + resource + "}" : resource)));
    }

    public MappingBuilder webhookRequest() {
        return get(urlPathEqualTo(MANAGEMENT_API + "/webhooks/" + WEBHOOK_ID))
                .withHeader("Authorization", equalTo("Bearer " + applicationToken));
    }

    /** {@code POST /subscriptions} of every vehicle answers 202, creation in progress. */
    public void subscriptionsAccepted() {
        stub(post(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                .withHeader("Authorization", equalTo("Bearer " + applicationToken))
                .willReturn(aResponse()
                        .withStatus(202)
                        .withHeader("Content-Type", "application/vnd.api+json")
                        .withBody("{\"meta\":{\"message\":\"subscription creation in progress\"}}")));
    }

    /** {@code POST /subscriptions} of this vehicle (any user). */
    public MappingBuilder subscriptionOf(String vehicleId) {
        return post(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                .withHeader("Authorization", equalTo("Bearer " + applicationToken))
                .withRequestBody(matchingJsonPath("$.data.attributes.vehicleId", equalTo(vehicleId)));
    }

    /** The requests that subscribed this vehicle, whatever the answer. */
    public static RequestPatternBuilder subscriptionsRequestedFor(String vehicleId) {
        return postRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                .withRequestBody(matchingJsonPath("$.data.attributes.vehicleId", equalTo(vehicleId)));
    }

    /**
     * {@code GET /subscriptions?filter[vehicleId]&filter[webhookId]} answering these subscription ids; the
     * relationships all typed {@code webhook}, as the docs' example has them.
     */
    public void subscriptionsOf(String vehicleId, String... subscriptionIds) {
        String items = Arrays.stream(subscriptionIds)
                .map(id -> "{\"id\":\"" + id + "\",\"type\":\"subscription\",\"relationships\":{"
                        + "\"webhook\":{\"data\":{\"type\":\"webhook\",\"id\":\"" + WEBHOOK_ID + "\"}},"
                        + "\"vehicle\":{\"data\":{\"type\":\"webhook\",\"id\":\"" + vehicleId + "\"}}}}")
                .collect(Collectors.joining(","));
        stub(get(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                .withHeader("Authorization", equalTo("Bearer " + applicationToken))
                .withQueryParam("filter[vehicleId]", equalTo(vehicleId))
                .withQueryParam("filter[webhookId]", equalTo(WEBHOOK_ID))
                .willReturn(
                        okJson("{\"data\":[" + items + "],\"meta\":{\"pageNumber\":1,\"pageSize\":25,\"totalCount\":"
                                + subscriptionIds.length + "}}")));
    }

    /** {@code DELETE /subscriptions/{id}} answering 204 (or 404 with the v3 error body when {@code alreadyGone}). */
    public void subscriptionDeleted(String subscriptionId, boolean alreadyGone) {
        stub(subscriptionDeletion(subscriptionId)
                .willReturn(
                        alreadyGone
                                ? v3Error(
                                        404,
                                        "RESOURCE_NOT_FOUND",
                                        "SUBSCRIPTION_NOT_FOUND",
                                        "Not found",
                                        "No subscription " + subscriptionId,
                                        null)
                                : aResponse().withStatus(204)));
    }

    public MappingBuilder subscriptionDeletion(String subscriptionId) {
        return delete(urlPathEqualTo(MANAGEMENT_API + "/subscriptions/" + subscriptionId))
                .withHeader("Authorization", equalTo("Bearer " + applicationToken));
    }

    /** Smartcar's v2.0 error body: {@code type, code, description, docURL, statusCode, requestId, resolution}. */
    public static ResponseDefinitionBuilder v2Error(int status, String type, String code, String description) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(
                        "{\"type\":\"" + type + "\",\"code\":"
                                + (code == null ? "null" : "\"" + code + "\"") + ",\"description\":\"" + description
                                + "\",\"docURL\":"
                                + "\"https://smartcar.com/docs/errors/api-errors\",\"statusCode\":" + status
                                + ",\"requestId\":\"req-1\","
                                + "\"resolution\":{\"type\":\"CONTACT_SUPPORT\"},\"suggestedUserMessage\":\"Please contact support.\"}");
    }

    /**
     * Smartcar's v3 error body: {@code type, code, title, detail, status, resolution, suggestedUserMessage, links,
     * meta}.
     */
    public static ResponseDefinitionBuilder v3Error(
            int status, String type, String code, String title, String detail, String resolution) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/vnd.api+json")
                .withBody(
                        "{\"type\":\"" + type
                                + "\",\"code\":" + (code == null ? "null" : "\"" + code + "\"") + ",\"title\":\""
                                + title + "\",\"detail\":\"" + detail
                                + "\",\"status\":" + status + ",\"resolution\":"
                                + (resolution == null ? "null" : "{\"type\":\"" + resolution + "\"}")
                                + ",\"suggestedUserMessage\":\"Please try again later.\",\"links\":{},\"meta\":{\"requestId\":\"req-1\"}}");
    }

    /**
     * An owner going through v3 Connect with the bridge: {@code /connect/start}, then the callback Smartcar would send
     * (with a code the bridge must ignore). Returns the callback's answer.
     */
    public BridgeHttp.Response connectV3(BridgeHttp bridge, String userId, String reference) {
        return v3().connect(bridge, userId, reference);
    }

    // --- both versions, in the sync's words
    // ---------------------------------------------------------------------------

    /**
     * Smartcar as one API version answers the bridge's sync and Connect, in the words both versions share: the vehicles
     * of {@link Connection}s (a user, a vehicle, its make, model and year) connected, listed, subscribed, unsubscribed.
     */
    public interface Version {

        /**
         * These vehicles connected, Smartcar listing them and answering their subscription: with v2.0 each owner goes
         * through the bridge's Connect (its tokens {@code access-<user>}, {@code refresh-<user>}), with v3 they are the
         * application's connections (a new application: a token of its own, a webhook that does not subscribe by
         * itself).
         */
        void connected(BridgeHttp bridge, Connection... vehicles);

        /**
         * From now on Smartcar lists these vehicles, answering their subscription (v2.0: in the lists of their owners).
         */
        void lists(Connection... vehicles);

        /** The stub of the vehicle's subscription, to answer it otherwise. */
        MappingBuilder subscription(Connection vehicle);

        /** The requests that subscribed the vehicle, whatever the answer. */
        RequestPatternBuilder subscriptionsOf(String vehicleId);

        /**
         * The requests that began a listing, one each: v2.0 an owner's first {@code GET /vehicles}, v3 page 1 of
         * {@code GET /connections}.
         */
        RequestPatternBuilder listings();

        /** How many listings a sync of these vehicles makes: v2.0 one per owner, v3 one for the application. */
        int listingsOf(Connection... vehicles);

        /**
         * How many connections a sync of these vehicles counts ({@code connectionsSynced}): v2.0 their owners', v3 one
         * each.
         */
        int connectionsOf(Connection... vehicles);

        /** Smartcar removes the vehicle's subscription when asked. */
        void unsubscribable(String vehicleId);

        /**
         * The stub of the call that removes the vehicle's subscription, once {@link #unsubscribable}, to answer it
         * otherwise.
         */
        MappingBuilder unsubscription(String vehicleId);

        /** The requests that removed the vehicle's subscription, with {@link #unsubscribeToken()}. */
        RequestPatternBuilder unsubscriptionsOf(String vehicleId);

        /** The bearer of an unsubscribe: v2.0 the Application Management Token, v3 the application token. */
        String unsubscribeToken();

        /**
         * A Connect callback's query parameter carrying an answer of Smartcar's: v2.0 {@code code=...}, v3
         * {@code user_id=...}.
         */
        String answer(String value);

        /**
         * Smartcar answers a Connect of this user: the callback's query parameter carrying its answer (v2.0 a code,
         * which Smartcar exchanges for the tokens {@code access-<user>}, {@code refresh-<user>}; v3 the user id).
         */
        String answering(String userId);

        /** An owner going through the bridge's Connect, Smartcar answering; the callback's answer. */
        default BridgeHttp.Response connect(BridgeHttp bridge, String userId, String reference) {
            String state = query(bridge.get("/connect/start?ref=" + reference, Map.of())
                            .header("Location"))
                    .get("state");
            return bridge.get("/connect/callback?" + answering(userId) + "&state=" + state, Map.of());
        }
    }

    /** Smartcar's Vehicles API v2.0 (the bridge with {@link #PROPERTIES}). */
    public Version v2() {
        return new Version() {
            @Override
            public void connected(BridgeHttp bridge, Connection... vehicles) {
                lists(vehicles);
                byUser(vehicles).keySet().forEach(userId -> connect(bridge, userId, "customer-" + userId));
            }

            @Override
            public void lists(Connection... vehicles) {
                byUser(vehicles).forEach((userId, owned) -> {
                    String token = "access-" + userId;
                    SmartcarDouble.this.vehicles(
                            token, owned.stream().map(Connection::vehicleId).toArray(String[]::new));
                    owned.forEach(vehicle -> {
                        attributes(token, vehicle.vehicleId(), vehicle.make(), vehicle.model(), vehicle.year());
                        subscribe(token, vehicle.vehicleId());
                    });
                });
            }

            @Override
            public MappingBuilder subscription(Connection vehicle) {
                return SmartcarDouble.subscription("access-" + vehicle.userId(), vehicle.vehicleId());
            }

            @Override
            public RequestPatternBuilder subscriptionsOf(String vehicleId) {
                return postRequestedFor(urlPathEqualTo(API + "/vehicles/" + vehicleId + "/webhooks/" + WEBHOOK_ID));
            }

            @Override
            public RequestPatternBuilder listings() {
                return getRequestedFor(urlPathEqualTo(API + "/vehicles")).withQueryParam("offset", equalTo("0"));
            }

            @Override
            public int listingsOf(Connection... vehicles) {
                return byUser(vehicles).size();
            }

            @Override
            public int connectionsOf(Connection... vehicles) {
                return byUser(vehicles).size();
            }

            @Override
            public void unsubscribable(String vehicleId) {
                unsubscribe(vehicleId);
            }

            @Override
            public MappingBuilder unsubscription(String vehicleId) {
                return delete(urlPathEqualTo(API + "/vehicles/" + vehicleId + "/webhooks/" + WEBHOOK_ID));
            }

            @Override
            public RequestPatternBuilder unsubscriptionsOf(String vehicleId) {
                return deleteRequestedFor(urlPathEqualTo(API + "/vehicles/" + vehicleId + "/webhooks/" + WEBHOOK_ID))
                        .withHeader("Authorization", equalTo("Bearer " + unsubscribeToken()));
            }

            @Override
            public String unsubscribeToken() {
                return MANAGEMENT_TOKEN;
            }

            @Override
            public String answer(String value) {
                return "code=" + value;
            }

            @Override
            public String answering(String userId) {
                return answer(answeredCode(userId, "access-" + userId, "refresh-" + userId));
            }
        };
    }

    /** Smartcar's API v3 (the bridge with {@link #V3_PROPERTIES}). */
    public Version v3() {
        return new Version() {
            @Override
            public void connected(BridgeHttp bridge, Connection... vehicles) {
                v3Application();
                webhook(false, true);
                connections(vehicles);
                subscriptionsAccepted();
            }

            @Override
            public void lists(Connection... vehicles) {
                connections(vehicles);
            }

            @Override
            public MappingBuilder subscription(Connection vehicle) {
                return subscriptionOf(vehicle.vehicleId());
            }

            @Override
            public RequestPatternBuilder subscriptionsOf(String vehicleId) {
                return subscriptionsRequestedFor(vehicleId);
            }

            @Override
            public RequestPatternBuilder listings() {
                return getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections"))
                        .withQueryParam("page[number]", equalTo("1"));
            }

            @Override
            public int listingsOf(Connection... vehicles) {
                return 1;
            }

            @Override
            public int connectionsOf(Connection... vehicles) {
                return vehicles.length;
            }

            @Override
            public void unsubscribable(String vehicleId) {
                SmartcarDouble.this.subscriptionsOf(vehicleId, "sub-" + vehicleId);
                subscriptionDeleted("sub-" + vehicleId, false);
            }

            @Override
            public MappingBuilder unsubscription(String vehicleId) {
                return subscriptionDeletion("sub-" + vehicleId);
            }

            @Override
            public RequestPatternBuilder unsubscriptionsOf(String vehicleId) {
                return deleteRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions/sub-" + vehicleId))
                        .withHeader("Authorization", equalTo("Bearer " + unsubscribeToken()));
            }

            @Override
            public String unsubscribeToken() {
                return applicationToken;
            }

            @Override
            public String answer(String value) {
                return "user_id=" + value;
            }

            /** With a code the bridge must ignore, as Smartcar may add one. */
            @Override
            public String answering(String userId) {
                return answer(userId) + "&code=ignored-" + userId;
            }
        };
    }

    /** The vehicles by user, in the order given. */
    private static Map<String, List<Connection>> byUser(Connection... vehicles) {
        Map<String, List<Connection>> byUser = new LinkedHashMap<>();
        for (Connection vehicle : vehicles) {
            byUser.computeIfAbsent(vehicle.userId(), user -> new ArrayList<>()).add(vehicle);
        }
        return byUser;
    }
}
