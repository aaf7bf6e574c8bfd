{#- A boolean text (true/false, t/f, 1/0, yes/no; any case) as a boolean; null otherwise. -#}
{% macro parse_boolean(column) -%}
    {{ return(adapter.dispatch('parse_boolean', 'personas')(column)) }}
{%- endmacro %}

{% macro default__parse_boolean(column) -%}
    case
        when lower({{ column }}) in ('true', 't', '1', 'yes') then true
        when lower({{ column }}) in ('false', 'f', '0', 'no') then false
    end
{%- endmacro %}
