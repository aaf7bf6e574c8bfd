{#- A money text (at most 2 decimals, optional minus sign) as decimal(18,2); null otherwise.
    A negative amount parses, so that it can be quarantined as negative_money by name. -#}
{% macro parse_money(column) -%}
    {{ return(adapter.dispatch('parse_money', 'personas')(column)) }}
{%- endmacro %}

{% macro default__parse_money(column) -%}
    case
        when {{ personas.regex_matches(column, '^-?[0-9]{1,15}([.][0-9]{1,2})?$') }}
            then cast({{ column }} as decimal(18, 2))
    end
{%- endmacro %}
