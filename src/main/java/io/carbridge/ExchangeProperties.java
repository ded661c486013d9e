package io.carbridge;

/**
 * The exchange properties the bridge's steps set and its routes read, named once, as Camel keeps its own in
 * {@code Exchange} and a component in its {@code *Constants}. A route file reads them by the same names
 * ({@code ${exchangeProperty.smartcarSignature}}); ARCHITECTURE.md lists them. The outbox component's own headers and
 * properties are its API and stay in {@code OutboxConstants}.
 */
public final class ExchangeProperties {

    // The intake (routes/webhook-intake.camel.yaml)

    /** The request body exactly as received: what the signature is checked on and what is stored. */
    public static final String RAW_BODY = "smartcarRawBody";
    /** The signature check's verdict: {@code valid}, {@code missing} or {@code invalid}. */
    public static final String SIGNATURE = "smartcarSignature";
    /** The answer prepared for Smartcar ({@code IntakeAnswer}), sent once the event is committed. */
    public static final String INTAKE_ANSWER = "smartcarAnswer";
    /** The envelope's {@code eventName} (legacy format), which the route routes on. */
    public static final String EVENT_NAME = "smartcarEventName";
    /** The envelope's {@code eventType} (current format), which the route routes on. */
    public static final String EVENT_TYPE = "smartcarEventType";
    /** {@code meta.deliveredAt} of a current-format envelope, which the replay window reads. */
    public static final String DELIVERED_AT = "smartcarDeliveredAt";
    /** The exchange is on the event path, and traced (set only while tracing is on). */
    public static final String ON_THE_EVENT_PATH = "bridgeTraced";

    // The subscription sync (routes/subscription-sync*.camel.yaml)

    /** The sync run ({@code SyncRun}). */
    public static final String SYNC_RUN = "syncRun";
    /** The listing ({@code Listing}) this run claimed. */
    public static final String LISTING = "smartcarListing";
    /** The claim of the vehicle being subscribed ({@code VehicleStore.Claim}). */
    public static final String VEHICLE = "smartcarVehicle";
    /** The vehicles gone from their listing that need an unsubscribe. */
    public static final String GONE_VEHICLES = "goneVehicles";

    // Filling gaps from Smartcar (routes/vehicle-reconciliation.camel.yaml)

    /** The reconciliation run ({@code ReconciliationRun}). */
    public static final String RECONCILIATION_RUN = "vehicleReconciliation";
    /** What Smartcar answered for the vehicle being reconciled. */
    public static final String SIGNALS = "smartcarSignals";

    // Connect (routes/smartcar-connect.camel.yaml)

    /** The Connect session's state, read back from the database on the callback. */
    public static final String CONNECT_STATE = "connectState";
    /** Smartcar's answer on the callback. */
    public static final String CONNECT_ANSWER = "connectAnswer";
    /** The owner the callback identified, with their tokens. */
    public static final String CONNECT_OWNER = "connectOwner";

    // The admin API (routes/admin-api.camel.yaml)

    /** The method and path of the call, for the audit line (the answer drops the request's headers). */
    public static final String ADMIN_CALL = "adminCall";

    private ExchangeProperties() {}
}
