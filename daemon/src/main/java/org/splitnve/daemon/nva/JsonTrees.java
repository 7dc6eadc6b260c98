package org.splitnve.daemon.nva;

import org.splitnve.api.JsonCodec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON trees for the NVA's answers, on the API's one configured mapper. */
final class JsonTrees {
    private JsonTrees() {
    }

    static ObjectNode object() {
        return JsonCodec.mapper().createObjectNode();
    }

    static ArrayNode array() {
        return JsonCodec.mapper().createArrayNode();
    }

    static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
