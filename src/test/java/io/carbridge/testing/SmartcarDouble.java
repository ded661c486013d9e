package io.carbridge.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Smartcar on loopback: one WireMock server for the test JVM, on the port {@link TestPorts#SMARTCAR} publishes as
 * {@code test.smartcar.port}, which {@code smartcar-test.properties} reads for the Connect, auth and API base URLs. The
 * stubs answer as Smartcar documents its REST API v2.0 and OAuth token endpoint. A test class holds an instance in a
 * static field, so the server runs before the extension builds the context.
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

    private static final WireMockServer SERVER = start();

    private static WireMockServer start() {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").port(TestPorts.SMARTCAR));
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

    /** A clean start for the next test: the double forgets its stubs and calls, the bridge its connections and vehicles. */
    public void resetWith(JdbcTemplate bridgeDatabase) {
        reset();
        for (String table : new String[] {"vehicle", "smartcar_connection", "connect_state", "smartcar_rate_limit"}) {
            bridgeDatabase.update("DELETE FROM " + table);
        }
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
        stub(get(urlPathEqualTo(API + "/user")).withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(okJson("{\"id\":\"" + userId + "\"}")));
    }

    /** {@code GET /vehicles}, one stub per page of {@link #PAGE_SIZE}, with paging as Smartcar sends it. */
    public void vehicles(String accessToken, String... vehicleIds) {
        int offset = 0;
        do {
            List<String> page = Arrays.asList(vehicleIds).subList(offset, Math.min(offset + PAGE_SIZE, vehicleIds.length));
            stub(vehiclesPage(accessToken, offset).willReturn(okJson("{\"vehicles\":["
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
        stub(attributesOf(accessToken, vehicleId).willReturn(okJson("{\"id\":\"" + vehicleId + "\",\"make\":\"" + make
                + "\",\"model\":\"" + model + "\",\"year\":" + year + "}")));
    }

    public static MappingBuilder attributesOf(String accessToken, String vehicleId) {
        return get(urlPathEqualTo(API + "/vehicles/" + vehicleId)).withHeader("Authorization", equalTo("Bearer " + accessToken));
    }

    public void subscribe(String accessToken, String vehicleId) {
        stub(subscription(accessToken, vehicleId).willReturn(okJson("{\"webhookId\":\"" + WEBHOOK_ID + "\",\"vehicleId\":\""
                + vehicleId + "\"}")));
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
    public BridgeHttp.Response connect(BridgeHttp bridge, String userId, String reference, String accessToken, String refreshToken) {
        String state = query(bridge.get("/connect/start?ref=" + reference, Map.of()).header("Location")).get("state");
        String code = "code-" + userId + "-" + System.nanoTime();
        codeExchange(code, accessToken, refreshToken);
        user(accessToken, userId);
        return bridge.get("/connect/callback?code=" + code + "&state=" + state, Map.of());
    }

    /** The decoded query parameters of a URL. */
    public static Map<String, String> query(String url) {
        return Arrays.stream(URI.create(url).getRawQuery().split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }
}
