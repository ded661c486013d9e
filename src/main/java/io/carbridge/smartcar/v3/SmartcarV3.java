package io.carbridge.smartcar.v3;

import io.carbridge.smartcar.ConnectionListingStore;
import io.carbridge.smartcar.Listing;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SmartcarHttp;
import io.carbridge.smartcar.SmartcarSettings;
import io.carbridge.smartcar.SyncRun;
import io.carbridge.smartcar.SyncSteps;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The port on Smartcar API v3 ({@code bridge.smartcar.api-version=v3}, the default): Connect names the user and
 * exchanges nothing; one listing of every connection of the application (whatever front end made it), claimed by one
 * run at a time, then a subscription per new vehicle ({@code POST /subscriptions}) and an unsubscribe per vehicle gone
 * from a complete listing, all with the application token. Gap filling reads a vehicle's signals.
 *
 * <p>Bound as {@code smartcarApi}, it is also the bean of {@code routes/subscription-sync-v3.camel.yaml}, the listing
 * of the application's connections: {@link #readWebhook} and {@link #listConnections}.
 */
public final class SmartcarV3 implements SmartcarApi {

    private final SmartcarSettings settings;
    private final String applicationId;
    private final V3Client client;
    private final ConnectionListingStore listings;
    private final ApplicationListing.Parts listingParts;
    /** What this instance last said about the webhook's auto-subscribe, so that it says it once. */
    private final AtomicReference<Boolean> autoSubscribeSaid = new AtomicReference<>();

    SmartcarV3(V3Settings own, SmartcarApi.Parts parts) {
        this.settings = parts.settings();
        this.applicationId = own.applicationId();
        this.client = new V3Client(parts.http(), settings, own.clientSecret(), parts.metrics(), Clock.systemUTC());
        this.listings = parts.listings();
        this.listingParts = new ApplicationListing.Parts(client, listings, parts.vehicles(), parts.metrics());
    }

    // --- the port ----------------------------------------------------------------------------------------------------

    /** The Application ID (not the API client id). */
    @Override
    public String connectClientId() {
        return applicationId;
    }

    /** The customer reference as {@code external_id}, the reference Smartcar keeps for the user. */
    @Override
    public Map<String, String> connectParameters(String reference) {
        return Map.of("external_id", reference);
    }

    /** The user id, when it is an id; a code, if Smartcar adds one, is ignored: v3 exchanges nothing. */
    @Override
    public String connectAnswer(Message callback) {
        String userId = callback.getHeader("user_id", String.class);
        return userId != null && SmartcarHttp.ID.matcher(userId).matches() ? userId : null;
    }

    /** The user the callback named; v3 has no owner tokens. */
    @Override
    public Owner owner(String userId, Instant now) {
        return new Owner(userId, null);
    }

    @Override
    public String listingTemplate() {
        return "subscription-sync-v3";
    }

    /** The application's connections: one listing, which {@link #claimListing} takes when it is due. */
    @Override
    public List<String> dueListings(Instant now) {
        return List.of(ApplicationListing.CONNECTIONS);
    }

    @Override
    public Optional<Listing> claimListing(String listing, SyncRun run, Instant now) {
        return listings.claim(run.claimedBy(), run.startedAt(), now, now.plus(settings.claimTimeout()))
                .map(claim -> listingParts.open(claim, run));
    }

    /** {@code GET /subscriptions} filtered by vehicle and webhook, then {@code DELETE} each (404: already gone). */
    @Override
    public int unsubscribe(String vehicleId) {
        return client.unsubscribe(vehicleId);
    }

    @Override
    public Optional<Map<String, Object>> connectionListing() {
        return Optional.of(listings.view());
    }

    @Override
    public Optional<Signals> signals() {
        return Optional.of(client::signals);
    }

    // --- the steps of routes/subscription-sync-v3.camel.yaml ---------------------------------------------------------

    /**
     * {@code GET /webhooks/{SMARTCAR_WEBHOOK_ID}}: whether it subscribes every vehicle by itself, said once when it
     * changes.
     */
    public void readWebhook(Exchange exchange) {
        boolean autoSubscribe = client.webhookSubscribesEveryVehicle();
        listing(exchange).webhookSubscribesEveryVehicle(autoSubscribe);
        Boolean said = autoSubscribeSaid.getAndSet(autoSubscribe);
        if (autoSubscribe && !Boolean.TRUE.equals(said)) {
            SyncSteps.LOG.info(
                    "webhook {} subscribes every vehicle by itself (Smartcar Dashboard: automatically subscribe all vehicles): "
                            + "the bridge subscribes none and records them as subscribed by Smartcar",
                    settings.webhookId());
        } else if (!autoSubscribe && Boolean.TRUE.equals(said)) {
            SyncSteps.LOG.info(
                    "webhook {} no longer subscribes every vehicle by itself: the bridge subscribes them",
                    settings.webhookId());
        }
    }

    /**
     * {@code GET /connections}, every page (a 401 fetches a new application token and retries once); problems go to the
     * log.
     */
    public void listConnections(Exchange exchange) {
        V3Client.ConnectionListing listing = client.connections();
        listing(exchange).listed(listing);
        if (!listing.complete()) {
            SyncSteps.LOG.warn(
                    "connections listing incomplete, so no vehicle is marked gone in this run: {}", listing.problems());
        }
    }

    private static ApplicationListing listing(Exchange exchange) {
        return (ApplicationListing) SyncSteps.listing(exchange);
    }
}
