{#- A raw timestamp is stored twice in a base_<entity>_rows table: parsed, and as the trimmed
    text the quarantine shows. Almost every text is the canonical form of its parsed value
    ('YYYY-MM-DD HH:MM:SS', what casting the timestamp to text gives back), and writing that
    text again was a sizeable share of the email model's write. So the table keeps the text only
    where it differs (a 'Z' or '+00:00' suffix, or a text that does not parse), and the
    base_<entity> view restores it (measured: docs/benchmarks.md, "Figures moved from code
    comments (2026-12-06)"). -#}

{#- The text to store: null where it equals the canonical text of the parsed value. -#}
{% macro timestamp_text_unless_canonical(text_column, parsed_column) -%}
case
    when {{ text_column }} = cast({{ parsed_column }} as {{ dbt.type_string() }}) then null
    else {{ text_column }}
end
{%- endmacro %}

{#- The trimmed text as read, from the stored text and the parsed value: the same engine casts
    it back the same way, so the round trip is exact; null stays null. -#}
{% macro restored_timestamp_text(stored_text_column, parsed_column) -%}
coalesce({{ stored_text_column }}, cast({{ parsed_column }} as {{ dbt.type_string() }}))
{%- endmacro %}
