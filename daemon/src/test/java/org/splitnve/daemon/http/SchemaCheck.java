package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * The JSON Schema subset the OpenAPI tests check answers against (docs/openapi.json, docs/nva-openapi.json): $ref,
 * oneOf, type (one or a list), enum, required, properties (closed: a member not in {@code properties} is refused, so
 * a document cannot fall behind the code), items.
 */
final class SchemaCheck {
    private final JsonNode doc;

    SchemaCheck(JsonNode doc) {
        this.doc = doc;
    }

    JsonNode resolve(JsonNode v) {
        JsonNode ref = v.path("$ref");
        if (!ref.isString()) {
            return v;
        }
        assertThat(ref.stringValue()).startsWith("#/");
        JsonNode out = doc;
        for (String part : ref.stringValue().substring(2).split("/", -1)) {
            out = out.path(part);
        }
        assertThat(out.isObject()).as(ref.stringValue()).isTrue();
        return resolve(out);
    }

    /** The JSON Schema subset: $ref, oneOf, type (one or a list), enum, required, properties (closed), items. */
    void validate(JsonNode v, JsonNode schema, String at, List<String> problems) {
        schema = resolve(schema);
        JsonNode oneOf = schema.path("oneOf");
        if (oneOf.isArray()) {
            int fits = 0;
            for (JsonNode s : oneOf) {
                List<String> p = new ArrayList<>();
                validate(v, s, at, p);
                fits += p.isEmpty() ? 1 : 0;
            }
            if (fits != 1) {
                problems.add(at + ": fits " + fits + " of the oneOf schemas, not exactly one");
            }
            return;
        }
        JsonNode type = schema.path("type");
        if (!type.isMissingNode()) {
            List<String> types = type.isArray() ? type.valueStream().map(JsonNode::asString).toList()
                    : List.of(type.asString());
            if (types.stream().noneMatch(t -> is(v, t))) {
                problems.add(at + ": " + JsonCodec.write(v) + " is not " + types);
                return;
            }
        }
        JsonNode en = schema.path("enum");
        if (en.isArray() && !en.values().contains(v)) {
            problems.add(at + ": " + JsonCodec.write(v) + " is not one of " + JsonCodec.write(en));
        }
        if (v.isObject()) {
            for (JsonNode r : schema.path("required")) {
                if (!v.has(r.asString())) {
                    problems.add(at + ": missing " + r.asString());
                }
            }
            JsonNode props = schema.path("properties");
            if (props.isObject()) {
                v.properties().forEach(m -> {
                    if (!props.has(m.getKey())) {
                        problems.add(at + ": member " + m.getKey() + " is not documented");
                    } else {
                        validate(m.getValue(), props.get(m.getKey()), at + "." + m.getKey(), problems);
                    }
                });
            }
        }
        if (v.isArray() && !schema.path("items").isMissingNode()) {
            for (int i = 0; i < v.size(); i++) {
                validate(v.get(i), schema.path("items"), at + "[" + i + "]", problems);
            }
        }
    }

    private static boolean is(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isString();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber();
            default -> throw new AssertionError("the validator does not know type " + type);
        };
    }
}
