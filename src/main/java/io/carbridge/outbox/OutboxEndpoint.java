package io.carbridge.outbox;

import java.time.Duration;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code outbox:<name>}. As a producer ({@code to: outbox:all}) it stores the event in the body, with one delivery per
 * destination that wants it, in one transaction, and answers once committed. As a consumer
 * ({@code from: outbox:<destination>}) it routes the destination's due deliveries, one exchange each, and records what
 * each exchange ended with: delivered, retry at, dead, or pause.
 */
@UriEndpoint(scheme = "outbox", title = "Outbox", syntax = "outbox:name", category = {Category.DATABASE})
public final class OutboxEndpoint extends DefaultEndpoint {

    /** The producer's name: every destination that wants the event gets a delivery. */
    public static final String ALL = "all";

    @UriPath(description = "The destination whose deliveries a consumer routes; 'all' for the producer")
    @Metadata(required = true)
    private final String name;

    @UriParam(label = "consumer", defaultValue = "8",
            description = "Deliveries in flight at once (different vehicles; one vehicle's deliveries go one at a time, in order)")
    private int concurrency = 8;

    @UriParam(label = "consumer", defaultValue = "10s",
            description = "The longest an attempt may take (the route's HTTP timeout); a claim lasts this plus the claim margin")
    private Duration timeout = Duration.ofSeconds(10);

    @UriParam(label = "consumer", defaultValue = "1s", description = "First wait before a failed delivery is tried again")
    private Duration retryInitialDelay = Duration.ofSeconds(1);

    @UriParam(label = "consumer", defaultValue = "2.0", description = "Factor each further wait grows by (1.0 to 10.0)")
    private double retryMultiplier = 2.0;

    @UriParam(label = "consumer", defaultValue = "10m", description = "Longest wait between two attempts")
    private Duration retryMaxDelay = Duration.ofMinutes(10);

    @UriParam(label = "consumer", defaultValue = "0", description = "Attempts before a dead letter; 0 for no limit but the age")
    private int retryMaxAttempts;

    @UriParam(label = "consumer", defaultValue = "24h", description = "Age of a delivery after which a failure makes it a dead letter")
    private Duration retryMaxAge = Duration.ofHours(24);

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
            throw new IllegalArgumentException("outbox:" + ALL + " is where events are stored; consume a destination: outbox:<destination>");
        }
        OutboxConsumer consumer = new OutboxConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /** Delivery consumers claim from the database one destination at a time; there is no point in parallel consumers. */
    @Override
    public boolean isSingleton() {
        return true;
    }

    public String getName() {
        return name;
    }

    RetryPolicy retryPolicy() {
        return new RetryPolicy(retryInitialDelay, retryMultiplier, retryMaxDelay, retryMaxAttempts, retryMaxAge);
    }

    public int getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(int concurrency) {
        if (concurrency < 1 || concurrency > 256) {
            throw new IllegalArgumentException("concurrency must be between 1 and 256, not " + concurrency);
        }
        this.concurrency = concurrency;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = positive("timeout", timeout);
    }

    public Duration getRetryInitialDelay() {
        return retryInitialDelay;
    }

    public void setRetryInitialDelay(Duration retryInitialDelay) {
        this.retryInitialDelay = positive("retryInitialDelay", retryInitialDelay);
    }

    public double getRetryMultiplier() {
        return retryMultiplier;
    }

    public void setRetryMultiplier(double retryMultiplier) {
        if (retryMultiplier < 1.0 || retryMultiplier > 10.0) {
            throw new IllegalArgumentException("retryMultiplier must be between 1.0 and 10.0, not " + retryMultiplier);
        }
        this.retryMultiplier = retryMultiplier;
    }

    public Duration getRetryMaxDelay() {
        return retryMaxDelay;
    }

    public void setRetryMaxDelay(Duration retryMaxDelay) {
        this.retryMaxDelay = positive("retryMaxDelay", retryMaxDelay);
    }

    public int getRetryMaxAttempts() {
        return retryMaxAttempts;
    }

    public void setRetryMaxAttempts(int retryMaxAttempts) {
        if (retryMaxAttempts < 0) {
            throw new IllegalArgumentException("retryMaxAttempts must not be negative");
        }
        this.retryMaxAttempts = retryMaxAttempts;
    }

    public Duration getRetryMaxAge() {
        return retryMaxAge;
    }

    public void setRetryMaxAge(Duration retryMaxAge) {
        this.retryMaxAge = positive("retryMaxAge", retryMaxAge);
    }

    private static Duration positive(String option, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(option + " must be a positive duration, not " + value);
        }
        return value;
    }
}
