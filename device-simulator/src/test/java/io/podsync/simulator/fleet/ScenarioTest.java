package io.podsync.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    @Test
    void everyBundledScenarioParses() throws Exception {
        for (String name : Scenario.BUNDLED) {
            Scenario s = Scenario.load(name);
            assertTrue(s.steps() > 0 && !s.timeline().isEmpty(), name);
        }
    }

    @Test
    void aScenarioReadsSizeTimelineAndExpectations() {
        Scenario s = Scenario.parse("t", """
                devices 2   # two drivers
                stops 3
                1 device 0 offline
                2 device 1 clock-jump -60
                3 dispatcher reassign-stop 0 2 to 1
                expect device 0 stop 2 applied reassigned
                expect exception reassigned_event
                """);
        assertEquals(2, s.devices());
        assertEquals(3, s.stops());
        assertEquals(3, s.steps(), "without a steps line the last timeline step");
        assertEquals(1, s.at(3, -1).size());
        assertEquals(-60, s.at(2, 1).getFirst().arg(0));
        assertEquals(Set.of("applied", "reassigned"), s.allowed(0, "R-S2", "R"));
        assertEquals(Set.of("applied"), s.allowed(0, "R-S1", "R"));
        assertEquals(Set.of("reassigned_event"), s.exceptions());
    }

    @Test
    void mistakesNameTheLine() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Scenario.parse("bad", "devices 1\n2 device 0 teleport\n"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Scenario.parse("bad", "1 device 3 offline\n"));
    }
}
