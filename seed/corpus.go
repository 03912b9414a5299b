package seed

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// The corpus: pools of precomputed texts and JSON documents that calls, messages and log rows
// point into. Building them once keeps the per-row work to a few random picks (no formatting,
// no allocation), and the stored values still vary like real transcripts do.

// Phrases of a Spanish-speaking voice agent and of the people it talks to. Sentences are built
// by chaining them up to a target length.
var assistantPhrases = []string{
	"Hola, le llamo de la clínica para confirmar su cita.",
	"¿En qué puedo ayudarle hoy?",
	"Perfecto, déjeme comprobar la disponibilidad.",
	"Tenemos un hueco el martes a las diez y media.",
	"¿Le viene bien esa hora o prefiere por la tarde?",
	"He encontrado su pedido en el sistema.",
	"El envío saldrá mañana por la mañana y llegará en dos días laborables.",
	"Le paso con un compañero del departamento de facturación.",
	"Disculpe, no le he entendido bien, ¿podría repetirlo?",
	"Para continuar necesito verificar su identidad.",
	"¿Me confirma los cuatro últimos dígitos de su documento?",
	"Gracias, ya lo tengo anotado.",
	"Le enviaré un mensaje de texto con el resumen.",
	"Su incidencia ha quedado registrada con prioridad alta.",
	"El técnico pasará entre las nueve y las dos.",
	"¿Hay algo más en lo que le pueda ayudar?",
	"Muchas gracias por su llamada, que tenga un buen día.",
	"Según nuestros registros, su contrato se renueva el mes que viene.",
	"La tarifa incluye llamadas ilimitadas y cincuenta gigas de datos.",
	"Entiendo perfectamente su situación.",
	"Voy a revisar las condiciones de su póliza.",
	"El importe pendiente es de cuarenta y dos euros con treinta céntimos.",
	"Puede pagarlo con tarjeta o por transferencia bancaria.",
	"Le confirmo que la cita ha quedado reservada.",
}

var userPhrases = []string{
	"Sí, dígame.",
	"Hola, buenas tardes.",
	"Llamaba por una factura que no entiendo.",
	"Quería cambiar la cita del jueves.",
	"Mejor por la tarde, si puede ser.",
	"No, no me viene bien.",
	"Vale, perfecto.",
	"¿Cuánto tardaría en llegar?",
	"El pedido todavía no me ha llegado y ya han pasado dos semanas.",
	"Mi número de cliente es el que tienen registrado.",
	"Prefiero que me lo envíen por correo.",
	"¿Me puede pasar con una persona?",
	"No tengo el documento a mano ahora mismo.",
	"Sí, son el siete, dos, uno, nueve.",
	"Es que me han cobrado dos veces el mismo mes.",
	"De acuerdo, muchas gracias.",
	"Nada más, gracias.",
	"¿Y eso cuánto me costaría?",
	"No estoy seguro, tendría que consultarlo con mi pareja.",
	"La última vez me dijeron otra cosa.",
	"Perdone, se corta un poco.",
	"Sí, esa dirección es correcta.",
}

var (
	customerNames = []string{"Lucía García", "Hugo Martínez", "Martina López", "Mateo Sánchez", "Sofía Pérez",
		"Leo Gómez", "Julia Fernández", "Daniel Ruiz", "Paula Díaz", "Álvaro Moreno", "Carmen Muñoz", "Pablo Romero"}
	campaigns     = []string{"renovaciones", "citas", "cobros", "bienvenida", "encuestas", "recuperacion"}
	plans         = []string{"basico", "plus", "premium", "empresa"}
	functionNames = []string{"check_availability", "book_appointment", "lookup_customer", "send_sms", "create_ticket", "get_order_status"}
	callTools     = []string{"transfer", "hangup", "detect_answering_machine", "add_participant"}
	toolStatuses  = []string{"success", "success", "success", "success", "success", "error", "cancelled"}
	failReasons   = []string{"carrier_unavailable", "sip_503", "media_timeout", "invalid_destination", "llm_error"}
)

// End reasons by terminal status.
var endReasons = map[string][]string{
	"completed":   {"user_hangup", "agent_hangup", "silence_timeout"},
	"transferred": {"transferred"},
	"failed":      {"error", "busy", "invalid_number"},
	"no_answer":   {"no_answer", "voicemail"},
}

// logKind is one kind of audit event with a pool of data documents.
type logKind struct {
	level, category, event string
	data                   []json.RawMessage
}

// corpus holds every pool, in the types the store's inputs take (contents are pointers: sharing
// one pooled string across rows costs nothing).
type corpus struct {
	assistant, user []*string         // message contents, 20-300 characters
	toolResults     []*string         // short contents of tool messages
	toolCalls       []json.RawMessage // FunctionSchema / CallToolSchema objects
	dynamicVars     []json.RawMessage // CallRequest.dynamic_variables objects
	started, ended  logKind           // first and last log row of a call
	failed          logKind           // last log row of a failed call
	middle          []logKind         // the log rows in between
}

const poolSize = 1024

func newCorpus(r *rand.Rand) *corpus {
	c := &corpus{}
	for range poolSize {
		c.assistant = append(c.assistant, ptr(sentence(r, assistantPhrases)))
		c.user = append(c.user, ptr(sentence(r, userPhrases)))
		c.toolCalls = append(c.toolCalls, toolCall(r))
		c.dynamicVars = append(c.dynamicVars, mustJSON(map[string]any{
			"customer_name":    pick(r, customerNames),
			"appointment_date": fmt.Sprintf("2025-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28)),
			"language":         "es",
			"plan":             pick(r, plans),
			"account_id":       100000 + r.IntN(900000),
			"campaign":         pick(r, campaigns),
		}))
	}
	for range 64 {
		c.toolResults = append(c.toolResults, ptr(string(mustJSON(map[string]any{"ok": r.IntN(8) != 0, "reference": fmt.Sprintf("REF-%06d", r.IntN(1000000))}))))
	}
	kind := func(level, category, event string, data func() map[string]any) logKind {
		k := logKind{level: level, category: category, event: event}
		for range 64 {
			k.data = append(k.data, mustJSON(data()))
		}
		return k
	}
	c.started = kind("INFO", "CALL_LIFECYCLE", "call_started", func() map[string]any {
		return map[string]any{"sip_call_id": fmt.Sprintf("%016x@sip.example.net", r.Uint64()), "codec": pick(r, []string{"PCMU", "opus", "PCMA"})}
	})
	c.ended = kind("INFO", "CALL_LIFECYCLE", "call_ended", func() map[string]any {
		return map[string]any{"turns": 2 + r.IntN(40), "billed_seconds": 10 + r.IntN(900)}
	})
	c.failed = kind("ERROR", "CALL_LIFECYCLE", "call_failed", func() map[string]any {
		return map[string]any{"failure_reason": pick(r, failReasons), "retryable": r.IntN(2) == 0}
	})
	c.middle = []logKind{
		kind("INFO", "USER", "user_message", func() map[string]any {
			return map[string]any{"message_text": sentence(r, userPhrases), "confidence": float64(70+r.IntN(30)) / 100}
		}),
		kind("INFO", "AGENT", "agent_response", func() map[string]any {
			return map[string]any{"message_text": sentence(r, assistantPhrases), "llm_ms": 200 + r.IntN(900)}
		}),
		kind("INFO", "CALL_TOOLS", "tool_called", func() map[string]any {
			return map[string]any{"tool_name": pick(r, callTools), "latency_ms": 20 + r.IntN(400)}
		}),
		kind("INFO", "INTEGRATION_TOOLS", "function_called", func() map[string]any {
			return map[string]any{"function_name": pick(r, functionNames), "http_status": 200, "latency_ms": 50 + r.IntN(800)}
		}),
		kind("DEBUG", "METRICS", "turn_latency", func() map[string]any {
			return map[string]any{"stt_ms": 80 + r.IntN(200), "llm_ms": 200 + r.IntN(900), "tts_ms": 90 + r.IntN(300)}
		}),
		kind("WARNING", "REALTIME_SESSION", "user_interruption", func() map[string]any {
			return map[string]any{"interrupted_after_ms": 300 + r.IntN(4000)}
		}),
		kind("DEBUG", "KNOWLEDGE", "knowledge_lookup", func() map[string]any {
			return map[string]any{"documents": 1 + r.IntN(5), "top_score": float64(50+r.IntN(50)) / 100}
		}),
		kind("ERROR", "INTEGRATION_TOOLS", "integration_timeout", func() map[string]any {
			return map[string]any{"failure_reason": "timeout", "function_name": pick(r, functionNames), "timeout_ms": 5000}
		}),
	}
	return c
}

// sentence chains phrases up to a length between 20 and 300 characters, short ones more likely
// (most turns of a phone conversation are short).
func sentence(r *rand.Rand, phrases []string) string {
	f := r.Float64()
	target := 20 + int(f*f*280)
	var b strings.Builder
	for b.Len() < target {
		p := pick(r, phrases)
		if b.Len() > 0 && b.Len()+1+len(p) > 300 {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// toolCall is a tool_call object of the contract: a FunctionSchema or a CallToolSchema.
func toolCall(r *rand.Rand) json.RawMessage {
	if r.IntN(3) == 0 {
		tool := pick(r, callTools)
		payload := map[string]any{"reason": pick(r, []string{"user_request", "end_of_flow", "escalation"})}
		if tool == "transfer" || tool == "add_participant" {
			payload["destination"] = fmt.Sprintf("+3491%07d", r.IntN(10000000))
		}
		return mustJSON(map[string]any{"type": "call_tool", "tool_name": tool, "payload": payload, "status": pick(r, toolStatuses)})
	}
	payload := map[string]any{}
	fn := pick(r, functionNames)
	switch fn {
	case "check_availability", "book_appointment":
		payload["date"] = fmt.Sprintf("2025-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28))
		payload["time"] = fmt.Sprintf("%02d:%02d", 9+r.IntN(9), 15*r.IntN(4))
	case "lookup_customer":
		payload["phone"] = fmt.Sprintf("+346%08d", r.IntN(100000000))
	case "send_sms":
		payload["template"] = pick(r, campaigns)
	default:
		payload["reference"] = fmt.Sprintf("T-%06d", r.IntN(1000000))
	}
	return mustJSON(map[string]any{"type": "function", "function_name": fn, "payload": payload, "status": pick(r, toolStatuses)})
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and numbers are marshalled here
	}
	return b
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func ptr[T any](v T) *T { return &v }
