package io.carbridge.delivery;

import io.carbridge.Setting;
import io.carbridge.delivery.http.HttpSink;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of a destination, {@code bridge.destination.<name>.<setting>}, declared once: name (the field's, in
 * kebab case), type, default (the initial value), description and check. {@link Destinations} binds and checks them,
 * the destination's routes take their parameters from them, and the settings table of the documentation is made from
 * them (a test keeps it in step).
 */
final class DestinationSettings {

    @Setting(
            value =
                    "Where the events go: a Camel endpoint URI, such as `kafka:<topic>?brokers=...`, `file:<directory>`, "
                            + "`kamelet:<name>`, or `direct:<a sink route of yours>`; `http://` and `https://` get the bridge's HTTP sink",
            defaultText = "(this or url)")
    String uri;

    @Setting(
            value =
                    "The HTTP shorthand of uri: the `http://` or `https://` URL events are sent to by the bridge's HTTP sink",
            defaultText = "(this or uri)")
    String url;

    @Setting(
            value = "HTTP sink: the request method, `POST`, `PUT` or `PATCH`",
            oneOf = {"POST", "PUT", "PATCH"})
    String method = "POST";

    @Setting("HTTP sink: `none`, `bearer`, `basic` or `header`")
    HttpSink.Auth auth = HttpSink.Auth.NONE;

    @Setting("HTTP sink: the environment variable holding the token, password or header value")
    String authSecretEnv;

    @Setting("HTTP sink: the user name, for `basic`")
    String authUsername;

    @Setting("HTTP sink: the header name, for `header` (e.g. `X-Api-Key`)")
    String authHeader;

    @Setting(
            value = "HTTP sink: the environment variable holding a Standard Webhooks secret (`whsec_...`, or any text)",
            defaultText = "(no signature)")
    String signingSecretEnv;

    @Setting(
            "How long one attempt may take: the HTTP sink's connect and answer time, the Kafka sink's delivery timeout; an "
                    + "attempt's claim lasts this plus `bridge.delivery.claim-margin`")
    Duration timeout = Duration.ofSeconds(10);

    /** What a destination is sent. */
    enum Deliver {
        EVENTS,
        STATE
    }

    @Setting(
            "`events`: every event it wants; `state`: a vehicle's state once per change: of the `VEHICLE_STATE` events "
                    + "waiting, the newest, carrying the vehicle's latest value of every signal, and none the destination has the state of "
                    + "already (the others are kept as superseded); errors and other events as with `events`")
    Deliver deliver = Deliver.EVENTS;

    @Setting(value = "The event types wanted, comma-separated; `CHARGING_*` matches a prefix", defaultText = "(all)")
    List<String> eventTypes = List.of();

    @Setting("Also forward test and simulated events")
    boolean includeTestEvents;

    @Setting("The route that shapes the destination's document: an endpoint a route in routes/ starts from")
    String transform = "direct:enriched-event-json";

    /*
     * 32: a destination answering in 100 ms then takes 320 events a second, and the bridge keeps up with a backlog: 8
     * delivered 300 to 700 events/s to the benchmark's instant HTTP sink, and to Kafka, whose producer sends the
     * records in flight together; 32 delivered 1,100 to 1,400. One vehicle is never more than one of them, and a 429
     * or 503 with Retry-After slows the destination down.
     */
    @Setting(value = "Attempts in flight at once (always different vehicles)", min = 1, max = 256)
    int concurrency = 32;

    @Setting(name = "retry.initial-delay", value = "Delay before the second attempt")
    Duration retryInitialDelay = Duration.ofSeconds(1);

    @Setting(
            name = "retry.multiplier",
            value = "Each further delay is this times the previous one (half of it random)",
            min = 1,
            max = 10)
    double retryMultiplier = 2.0;

    @Setting(name = "retry.max-delay", value = "Cap of one delay")
    Duration retryMaxDelay = Duration.ofMinutes(10);

    @Setting(
            name = "retry.max-attempts",
            value = "Attempts before the dead letter; `0`: no limit, `max-age` decides",
            min = 0,
            max = 1_000)
    int retryMaxAttempts;

    @Setting(name = "retry.max-age", value = "No attempt later than this after receipt: dead letter")
    Duration retryMaxAge = Duration.ofHours(24);

    @Setting(
            value =
                    "More failures another attempt cannot fix, besides the sink's own: exception class names (simple or "
                            + "qualified), comma-separated; such a failure is a dead letter at once",
            defaultText = "(the sink's own)")
    List<String> deadOn = List.of();
}
