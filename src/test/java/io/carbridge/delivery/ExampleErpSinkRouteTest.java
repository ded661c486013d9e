package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import io.carbridge.outbox.OutboxConstants;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The example sink route of a team's own, on its own, the way a team tests the sink it writes: Camel's test kit loads
 * the one route file, AdviceWith puts an answer of the ERP's in place of the call, and the test reads the outcome the
 * route said (CamelOutboxOutcome).
 */
class ExampleErpSinkRouteTest extends CamelTestSupport {

    private static final String ANSWER = "erpAnswer";

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties properties = new Properties();
        properties.setProperty("example.erp.import-url", "http://erp.invalid/import");
        return properties;
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        return PluginHelper.getRoutesLoader(context).findRoutesBuilders(PluginHelper.getResourceLoader(context)
                .resolveResource("file:routes/example-erp-sink.camel.yaml")).toArray(RoutesBuilder[]::new);
    }

    @ParameterizedTest(name = "the ERP answers {0}: {1}")
    @CsvSource(nullValues = "none", value = {
            "200, none, none",
            "423, pause, the ERP is locked for its month-end close",
            "400, dead, 'the ERP refused it: HTTP 400'",
            "503, retry, the ERP answered HTTP 503"})
    void saysWhatEachAnswerOfTheErpMeans(int status, String outcome, String reason) throws Exception {
        AdviceWith.adviceWith(context, "example-erp-sink", route -> route.weaveById("erp-import").replace()
                .setHeader(Exchange.HTTP_RESPONSE_CODE, route.simple("${exchangeProperty." + ANSWER + "}")));
        context.start();

        Exchange sent = template.send("direct:example-erp-sink", exchange -> {
            exchange.setProperty(ANSWER, status);
            exchange.getMessage().setBody("{\"eventId\":\"e-1\"}");
        });

        assertThat(sent.getException()).isNull();
        assertThat(sent.getProperty(OutboxConstants.OUTCOME, String.class)).isEqualTo(outcome);
        assertThat(sent.getProperty(OutboxConstants.OUTCOME_REASON, String.class)).isEqualTo(reason);
    }
}
