{#- D, the as-of date of the catalog.
    var as_of_date set ('YYYY-MM-DD'): that date as a literal.
    Unset: the latest day of any staged order, email event or site visit, read from the
    one-row model int_as_of_date, so a re-run on the same data gives the same answer. -#}
{% macro as_of_date() -%}
    {{ return(adapter.dispatch('as_of_date', 'personas')()) }}
{%- endmacro %}

{% macro default__as_of_date() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or configured | string | trim == '' -%}
        (select int_as_of_date.as_of_date from {{ ref('int_as_of_date') }} as int_as_of_date)
    {%- else -%}
        cast('{{ personas.validated_date_var("as_of_date", configured) }}' as date)
    {%- endif -%}
{%- endmacro %}
