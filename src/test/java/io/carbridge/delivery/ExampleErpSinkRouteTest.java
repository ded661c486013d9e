package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.testkit.BridgeRouteTestSupport;
import io.carbridge.testkit.SinkOutcome;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The example sink route of a team's own, on its own, the way a team tests the sink it writes with the bridge's test
 * kit: the one route file loaded (its {@code example.erp.import-url} from the settings), AdviceWith puts an answer of
 * the ERP's in place of the call, and the test reads the outcome the route said (CamelOutboxOutcome).
 */
class ExampleErpSinkRouteTest extends BridgeRouteTestSupport {

    private static final String ANSWER = "erpAnswer";

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("file:routes/example-erp-sink.camel.yaml");
    }

    @ParameterizedTest(name = "the ERP answers {0}: {1}")
    @CsvSource(
            nullValues = "none",
            value = {
                "200, none, none",
                "423, pause, the ERP is locked for its month-end close",
                "400, dead, 'the ERP refused it: HTTP 400'",
                "503, retry, the ERP answered HTTP 503"
            })
    void saysWhatEachAnswerOfTheErpMeans(int status, String outcome, String reason) throws Exception {
        AdviceWith.adviceWith(context, "example-erp-sink", route -> route.weaveById("erp-import")
                .replace()
                .setHeader(Exchange.HTTP_RESPONSE_CODE, route.simple("${exchangeProperty." + ANSWER + "}")));
        context.start();

        Exchange sent = template.send("direct:example-erp-sink", exchange -> {
            exchange.setProperty(ANSWER, status);
            exchange.getMessage().setBody("{\"eventId\":\"e-1\"}");
        });

        SinkOutcome said = outcome(sent);
        assertThat(said.exception()).isNull();
        assertThat(said.outcome()).isEqualTo(outcome);
        assertThat(said.reason()).isEqualTo(reason);
    }
}
