{#- An integer text (optional minus sign, up to 9 digits) as an integer; null otherwise. -#}
{% macro parse_integer(column) -%}
    {{ return(adapter.dispatch('parse_integer', 'personas')(column)) }}
{%- endmacro %}

{% macro default__parse_integer(column) -%}
    case
        when {{ personas.regex_matches(column, '^-?[0-9]{1,9}$') }}
            then cast({{ column }} as {{ dbt.type_int() }})
    end
{%- endmacro %}
