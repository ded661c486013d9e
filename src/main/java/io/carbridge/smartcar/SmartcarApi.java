package io.carbridge.smartcar;

import io.carbridge.http.RequestRefused;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Message;

/**
 * The port: Smartcar as Connect, the subscription sync, the admin calls and gap filling use it, whatever the API
 * version. Two implementations, each in its package with its route template: {@code io.carbridge.smartcar.v3} (API v3,
 * the default: one application token, the application's {@code /connections}, the Management API's
 * {@code /subscriptions}) and {@code io.carbridge.smartcar.v2} (Vehicles API v2.0: each owner's OAuth tokens,
 * {@code GET /vehicles}, a subscription per vehicle and webhook). Which one runs is chosen once, where
 * {@code bridge.smartcar.api-version} is read ({@link ApiVersion}): its settings make it ({@link ApiSettings#api}).
 * Nothing else asks which version it is.
 *
 * <p>In the sync's words: a <em>listing</em> is what Smartcar lists in one go, claimed by one run at a time across the
 * instances: with v2.0 one owner's connection, with v3 every connection of the application. Its vehicles are listed by
 * the route of the version's {@link #listingTemplate() template}; the shared steps ({@link SyncSteps}) then go through
 * the {@link Listing}: the vehicles missing from it are gone, the listed ones are recorded, the new ones subscribed.
 */
public interface SmartcarApi {

    // --- Connect
    // ------------------------------------------------------------------------------------------------------

    /** Connect's {@code client_id}: v3 the Application ID, v2.0 the OAuth client id. */
    String connectClientId();

    /**
     * What Connect's address carries beyond what both versions send: v3 the customer reference as {@code external_id}.
     */
    Map<String, String> connectParameters(String reference);

    /**
     * Smartcar's answer in Connect's callback (v3 {@code user_id}, v2.0 {@code code}); null when it sent none the
     * bridge can use.
     */
    String connectAnswer(Message callback);

    /**
     * The owner Connect's answer names: with v3 the user the callback names, and no tokens; with v2.0 the code
     * exchanged for the owner's token pair, sealed, and the user {@code GET /user} names. A call Smartcar fails is a
     * {@link RequestRefused} (502).
     */
    Owner owner(String answer, Instant now);

    /** A connected owner: the Smartcar user, and (v2.0) the owner's tokens as the database keeps them; null with v3. */
    record Owner(String userId, SealedTokens tokens) {}

    // --- the subscription sync
    // ----------------------------------------------------------------------------------------

    /**
     * The route template that lists a claimed listing's vehicles ({@code routes/subscription-sync-v2.camel.yaml} or
     * {@code -v3}): its route is {@value SyncSteps#LISTING_ENDPOINT}.
     */
    String listingTemplate();

    /**
     * The listings due for a sync: v2.0 each active owner's connection that is due, v3 the application's connections.
     */
    List<String> dueListings(Instant now);

    /**
     * Takes the listing for this run (the claim expires after {@code bridge.sync.claim-timeout}); empty when another
     * run holds it, it waits for a backoff, or it was listed since this run began.
     */
    Optional<Listing> claimListing(String listing, SyncRun run, Instant now);

    /**
     * Removes the vehicle's subscription to the webhook (gone from its listing, or an operator's call); how many
     * Smartcar removed.
     */
    int unsubscribe(String vehicleId);

    // --- the admin calls and gap filling
    // ------------------------------------------------------------------------------

    /**
     * v3: the state of the listing of the application's connections; empty where each connection is listed by itself
     * (v2.0).
     */
    Optional<Map<String, Object>> connectionListing();

    /** Gap filling's read of a vehicle's signals; empty where the API has no such call (v2.0). */
    Optional<Signals> signals();

    /** {@code GET /vehicles/{id}/signals} as the vehicle's user (API v3). */
    @FunctionalInterface
    interface Signals {

        /** Every page of the vehicle's signals; each page is one request of {@code budget}, which may wait for it. */
        VehicleSignals read(String userId, String vehicleId, Runnable budget);
    }

    /**
     * The signals of one vehicle, as Smartcar reads them now: the items of {@code data} (each as Smartcar sent it) and
     * the vehicle's make, model and year when {@code included.vehicle} has them.
     */
    record VehicleSignals(List<Map<String, Object>> items, Map<String, Object> vehicle) {}

    /**
     * What an implementation is made with: the settings both versions share, the HTTP calls, the stores, the metrics.
     */
    record Parts(
            SmartcarSettings settings,
            SmartcarHttp http,
            ConnectionStore connections,
            VehicleStore vehicles,
            ConnectionListingStore listings,
            SmartcarMetrics metrics) {}
}
