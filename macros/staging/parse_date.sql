{#- A 'YYYY-MM-DD' text as a date; null when it is not a real date. -#}
{% macro parse_date(column) -%}
    {{ return(adapter.dispatch('parse_date', 'personas')(column)) }}
{%- endmacro %}

{% macro default__parse_date(column) -%}
    case
        when {{ personas.regex_matches(column, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            then {{ personas.try_cast(column, 'date') }}
    end
{%- endmacro %}
