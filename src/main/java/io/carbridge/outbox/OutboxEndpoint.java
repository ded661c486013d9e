package io.carbridge.outbox;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * The outbox of the Smartcar bridge: the deliveries between its intake and its destinations. As a producer (outbox:all)
 * it stores the event in the body, with one delivery per destination that wants it, in one transaction, and answers
 * once committed. As a consumer (outbox:crm, for the destination crm) it routes the destination's due deliveries, one
 * exchange each, and records what each exchange ended with: delivered, retry at, dead, or pause. How it delivers to a
 * destination (concurrency, timeout, retries) is the destination's settings, which the component's routing gives
 * ({@link DeliveryPolicy}).
 */
@UriEndpoint(
        firstVersion = "1.0.0",
        scheme = "outbox",
        title = "Outbox",
        syntax = "outbox:name",
        category = {Category.DATABASE})
public final class OutboxEndpoint extends DefaultEndpoint {

    /** The producer's name: every destination that wants the event gets a delivery. */
    public static final String ALL = "all";

    @UriPath(description = "The destination whose deliveries a consumer routes; 'all' for the producer")
    @Metadata(required = true)
    private final String name;

    OutboxEndpoint(String uri, OutboxComponent component, String name) {
        super(uri, component);
        this.name = name;
    }

    @Override
    public OutboxComponent getComponent() {
        return (OutboxComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        if (!ALL.equals(name)) {
            throw new IllegalArgumentException("outbox:" + name + " cannot be sent to: events go to outbox:" + ALL
                    + ", which queues them for every destination that wants them");
        }
        return new OutboxProducer(this, getComponent().eventStore());
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (ALL.equals(name)) {
            throw new IllegalArgumentException(
                    "outbox:" + ALL + " is where events are stored; consume a destination: outbox:<destination>");
        }
        DeliveryPolicy policy = getComponent()
                .routing()
                .policy(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "outbox:" + name + " names no destination of bridge.destinations"));
        OutboxConsumer consumer = new OutboxConsumer(this, processor, policy);
        configureConsumer(consumer);
        return consumer;
    }

    /**
     * Delivery consumers claim from the database one destination at a time; there is no point in parallel consumers.
     */
    @Override
    public boolean isSingleton() {
        return true;
    }

    public String getName() {
        return name;
    }
}
