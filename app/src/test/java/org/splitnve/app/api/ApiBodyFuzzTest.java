package org.splitnve.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.app.json.Json;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5, SEC-1: coverage-guided fuzzing of the API's request bodies up to the engine: the body parsed as
 * the server does ({@link Request#json()}), then every field reader the handlers apply to it (docs/api.md:
 * the VM name, {@code tsis} with each TSI_SPEC's vn, mac, ips and id, {@code migration}, {@code state},
 * {@code tsi}, {@code op}, {@code ips}, {@code reason}, {@code port}, {@code station}, {@code start}, and
 * a TSI ID in a path). Each gives its value or an {@link ApiError} with status 400 and a message naming
 * the member; nothing else is thrown (an exception there would be a 500). Seeds
 * (ApiBodyFuzzTestInputs/body): the request bodies of docs/api.md.
 */
@DisplayName("REL-5, SEC-1: API request bodies under coverage-guided fuzzing")
class ApiBodyFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("ApiBodyFuzzTest.body");

    @FuzzTest(maxDuration = "15s")
    void body(byte[] body) {
        RUN.input();
        Request r = new Request("POST", "/v1/vms", Map.of(), new String(body, StandardCharsets.UTF_8), "fuzz");
        Json.Obj o;
        try {
            o = r.json();
        } catch (ApiError e) {
            assertBadRequest(e);
            return;
        }
        read(() -> TnveApi.name(o));
        read(() -> TnveApi.tsis(o, "vm1"));
        read(() -> Fields.uuid(o, "", "migration", false));
        read(() -> Fields.string(o, "", "state", false));
        read(() -> Fields.string(o, "", "op", false));
        read(() -> Fields.ips(o, "", "ips", false));
        read(() -> Fields.bool(o, "", "start", false));
        read(() -> Fields.integer(o, "", "vn", 0, 0xFFFF_FFFFL));
        read(() -> Fields.mac(o, "", "station"));
        read(() -> NnveApi.reason(o));
        read(() -> {
            Fields.known(o, "", "name", "tsis", "start");
            return null;
        });
        read(() -> {
            String tsi = Fields.string(o, "", "tsi", false);
            return tsi == null ? null : NnveApi.tsiId(tsi);
        });
    }

    @FunctionalInterface
    interface Reader {
        Object read() throws ApiError;
    }

    private static void read(Reader reader) {
        try {
            reader.read();
        } catch (ApiError e) {
            assertBadRequest(e);
        }
    }

    private static void assertBadRequest(ApiError e) {
        assertThat(e.status()).as("status of %s", e.getMessage()).isEqualTo(400);
        assertThat(e.getMessage()).as("message").isNotBlank();
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
