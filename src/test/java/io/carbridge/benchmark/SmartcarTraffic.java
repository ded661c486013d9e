package io.carbridge.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbridge.benchmark.Delivery.Traffic;
import io.carbridge.testing.Fixtures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What Smartcar sends, made up at the rate it is sent: current-format {@code VEHICLE_STATE} events (the sample delivery
 * of {@code src/test/resources/smartcar}, delivered now, each with a new event id and one of {@value #VEHICLES}
 * vehicles), signed with the token {@link io.carbridge.testing.ServiceProcess} starts the service with; optionally
 * mixed with repeats of earlier events or with bad requests of every kind. One instance per load, used on the load
 * generator's event loop only.
 */
final class SmartcarTraffic {

    static final String INTAKE_PATH = "/webhooks/smartcar";
    /** The trivial endpoint of {@code src/test/resources/benchmark/ceiling.camel.yaml}. */
    static final String CEILING_PATH = "/benchmark/ceiling";

    static final String JSON = "application/json";
    static final int ACCEPTED = 202;
    static final int DUPLICATE = 200;

    /**
     * Distinct vehicle ids: the delivery engine keeps each vehicle's events in order, so one vehicle would serialise
     * everything.
     */
    private static final int VEHICLES = 1_000;
    /** Duplicates repeat an event sent at least this many events ago, so that the original has been answered. */
    private static final int DUPLICATE_DISTANCE = 64;

    private static final String EVENT_ID = "@EVENT_ID@";
    private static final String VEHICLE_ID = "@VEHICLE_ID@";
    private static final String TEMPLATE = template();

    private final String runId;
    private final Random random;
    private final Mac mac;
    private final Mac wrongMac;
    private final Delivery[] recent = new Delivery[4_096];
    private long sequence;

    /** @param runId prefix of every event id, unique per load so that loads never collide */
    SmartcarTraffic(String runId, long seed) {
        this.runId = runId;
        this.random = new Random(seed);
        this.mac = hmac(Fixtures.MANAGEMENT_TOKEN);
        this.wrongMac = hmac("not-the-management-token");
    }

    /** A trivial GET on the ceiling endpoint. */
    static Traffic ceiling() {
        Delivery get = new Delivery(HttpMethod.GET, CEILING_PATH, null, null, null, null, "ceiling", 200);
        return () -> get;
    }

    /** Unique, correctly signed events. */
    Traffic events() {
        return this::event;
    }

    /** Unique events, except that a {@code fraction} of the requests repeat an earlier event byte for byte. */
    Traffic withDuplicates(double fraction) {
        return () -> sequence > DUPLICATE_DISTANCE + 1 && random.nextDouble() < fraction ? duplicate() : event();
    }

    /**
     * Valid unique events mixed with a {@code fraction} of bad requests, spread evenly over every kind the intake
     * refuses: wrong and missing signature, broken JSON, an oversized body, a wrong method, a wrong content type. Every
     * bad request carries an event id starting {@code bad-} that must never be stored.
     */
    Traffic withBadInput(double fraction) {
        List<Function<String, Delivery>> kinds = List.of(
                id -> new Delivery(
                        HttpMethod.POST,
                        INTAKE_PATH,
                        JSON,
                        sign(wrongMac, body(id)),
                        body(id),
                        id,
                        "wrong-signature",
                        401),
                id -> new Delivery(HttpMethod.POST, INTAKE_PATH, JSON, null, body(id), id, "missing-signature", 401),
                id -> signed(brokenJson(id), id, "broken-json", 400),
                id -> signed(oversized(id), id, "oversized", 413),
                id -> new Delivery(
                        HttpMethod.PUT, INTAKE_PATH, JSON, sign(mac, body(id)), body(id), id, "wrong-method", 405),
                id -> new Delivery(
                        HttpMethod.POST,
                        INTAKE_PATH,
                        "text/plain",
                        sign(mac, body(id)),
                        body(id),
                        id,
                        "wrong-content-type",
                        415));
        return () -> {
            if (random.nextDouble() >= fraction) {
                return event();
            }
            return kinds.get(random.nextInt(kinds.size())).apply("bad-" + runId + "-" + sequence++);
        };
    }

    private Delivery event() {
        long index = sequence++;
        String id = runId + "-" + index;
        Delivery delivery = signed(body(id), id, "event", ACCEPTED);
        recent[(int) (index % recent.length)] = delivery;
        return delivery;
    }

    private Delivery duplicate() {
        long back = DUPLICATE_DISTANCE + random.nextInt((int) Math.min(recent.length, sequence) - DUPLICATE_DISTANCE);
        Delivery original = recent[(int) ((sequence - back) % recent.length)];
        return new Delivery(
                original.method(),
                original.path(),
                original.contentType(),
                original.signature(),
                original.body(),
                original.eventId(),
                "duplicate",
                DUPLICATE);
    }

    private Delivery signed(Buffer body, String id, String kind, int expectedStatus) {
        return new Delivery(HttpMethod.POST, INTAKE_PATH, JSON, sign(mac, body), body, id, kind, expectedStatus);
    }

    private Buffer body(String id) {
        String vehicle = "vehicle-" + random.nextInt(VEHICLES);
        return Buffer.buffer(TEMPLATE.replace(EVENT_ID, id).replace(VEHICLE_ID, vehicle));
    }

    private static Buffer brokenJson(String id) {
        return Buffer.buffer("{\"eventId\":\"" + id + "\",\"eventType\":\"VEHICLE_STATE\",\"data\":{\"signals\":[");
    }

    private Buffer oversized(String id) {
        String event = TEMPLATE.replace(EVENT_ID, id).replace(VEHICLE_ID, "vehicle-0");
        return Buffer.buffer(event.substring(0, event.length() - 1) + ",\"padding\":\"" + "x".repeat(70_000) + "\"}");
    }

    private static String sign(Mac mac, Buffer body) {
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
    }

    private static Mac hmac(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sample VEHICLE_STATE delivery, compact, with placeholders for the event and vehicle ids. */
    private static String template() {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode event = (ObjectNode) json.readTree(Fixtures.bytes("v4-vehicle-state.json"));
            event.put("eventId", EVENT_ID);
            event.put("vehicleId", VEHICLE_ID);
            ((ObjectNode) event.path("data").path("vehicle")).put("id", VEHICLE_ID);
            // delivered now, as Smartcar's own attempts are: the sample's 2024 time would be refused as a stale replay
            ((ObjectNode) event.path("meta")).put("deliveredAt", System.currentTimeMillis());
            return json.writeValueAsString(event);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the sample delivery", e);
        }
    }
}
